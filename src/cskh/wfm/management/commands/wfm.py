"""`cskh wfm evaluate …` (forecast backtest on a public call log) and `cskh wfm forecast`."""

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Quản lý nhân lực: đánh giá dự báo (evaluate), chạy dự báo (forecast)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="backtest on a public dataset (research only)")
        ev.add_argument("--dataset", required=True, choices=["anonymous-bank"])
        ev.add_argument("--train-days", type=int, required=True)
        ev.add_argument("--horizon-days", type=int, required=True)
        ev.add_argument("--start-day", type=int, default=0)
        sub.add_parser("forecast", help="forecast every staffing queue from cskh's history")

    def handle(self, *args, **options):
        if options["action"] == "evaluate":
            return self._evaluate(options)
        from cskh.wfm.services import forecasts

        runs = forecasts.run_all()
        for run in runs:
            self.stdout.write(f"{run.queue.code}: {run.method} (WAPE {run.wape})")

    def _evaluate(self, options):
        from cskh.wfm import evaluation

        try:
            first, counts = evaluation.load_anonymous_bank()
        except evaluation.DatasetMissing as exc:
            self.stderr.write(f"dataset not found, skipped: {exc}")
            return
        try:
            result = evaluation.evaluate(
                first,
                counts,
                train_days=options["train_days"],
                horizon_days=options["horizon_days"],
                start_day=options["start_day"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.as_dict()))
