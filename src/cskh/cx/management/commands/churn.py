"""`cskh churn train|score|evaluate|import` — see docs/cx.md."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cskh.core.errors import DomainError


class Command(BaseCommand):
    help = "Churn model: train / score on cskh data; evaluate on the public research sets."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train on cskh's own history (+ imported contracts)")
        train.add_argument("--profile", default="")
        train.add_argument("--seed", type=int, default=0)
        train.add_argument("--folds", type=int, default=5)
        score = sub.add_parser("score", help="score every customer and queue those at risk")
        score.add_argument("--profile", default="")
        score.add_argument("--no-queue", action="store_true")
        ev = sub.add_parser("evaluate", help="stratified K-fold CV on a public dataset")
        ev.add_argument("--dataset", required=True, choices=("telco-ibm", "telecom-bigml"))
        ev.add_argument("--folds", type=int, default=5)
        ev.add_argument("--seed", type=int, default=0)
        ev.add_argument("--data-dir", default="")
        imp = sub.add_parser("import", help="import contract/billing attributes (CSV)")
        imp.add_argument("path")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc

    def _profile(self, opts: dict[str, Any]) -> str:
        if opts.get("profile"):
            return str(opts["profile"])
        from cskh.catalog.services import active_profile

        return active_profile().code

    def do_train(self, opts: dict[str, Any]) -> None:
        from cskh.cx.services import churn

        row = churn.train(profile=self._profile(opts), seed=opts["seed"], folds=opts["folds"])
        self.stdout.write(json.dumps({"version": row.version, **row.metrics}))

    def do_score(self, opts: dict[str, Any]) -> None:
        from cskh.cx.services import churn, retention

        t0 = time.perf_counter()
        n = churn.score_all(profile=self._profile(opts))
        queued = 0 if opts["no_queue"] else retention.queue_at_risk()
        self.stdout.write(
            json.dumps(
                {"scored": n, "queued": queued, "seconds": round(time.perf_counter() - t0, 1)}
            )
        )

    def do_evaluate(self, opts: dict[str, Any]) -> None:
        import numpy as np

        from cskh.cx import churn_research
        from cskh.cx.churn_model import cross_validate

        root = Path(opts["data_dir"] or settings.CSKH_SHARED_DATA)
        dataset = opts["dataset"]
        if opts["folds"] < 2:
            raise CommandError("--folds phải từ 2 trở lên.")
        if not churn_research.available(dataset, root):
            self.stdout.write(
                json.dumps({"dataset": dataset, "skipped": f"không có dữ liệu trong {root}"})
            )
            return
        X, y = churn_research.LOADERS[dataset](root)
        result = cross_validate(X, np.asarray(y), folds=opts["folds"], seed=opts["seed"])
        self.stdout.write(json.dumps({"dataset": dataset, **result, "seed": opts["seed"]}))

    def do_import(self, opts: dict[str, Any]) -> None:
        from cskh.cx.services import churn

        path = Path(opts["path"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        self.stdout.write(json.dumps(churn.import_contracts(path.read_bytes())))
