"""`cskh privacy access-report --from 2026-12-01 --to 2026-12-03 [--out file.csv]`: who
accessed which customer's data in the window, as CSV (breach readiness: the 72-hour
notification). `cskh privacy purge`: run the retention job now."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from cskh.privacy import selectors, services


def _when(value: str, *, end: bool) -> datetime:
    day = parse_date(value) if len(value) == 10 else None  # a bare date: the whole day
    if day is not None:
        dt: datetime | None = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    else:
        dt = parse_datetime(value)
    if dt is None:
        raise CommandError(f"not a date or date-time: {value!r}")
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


class Command(BaseCommand):
    help = "Personal data: access report (CSV) for a time window; retention purge."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("access-report", help="who accessed what in [from, to)")
        report.add_argument("--from", dest="start", required=True)
        report.add_argument("--to", dest="end", required=True, help="a date includes that day")
        report.add_argument("--out", default="-", help="file path, - for standard output")
        sub.add_parser("purge", help="apply the retention rules now")

    def handle(self, *args: object, **opts: str) -> None:
        if opts["action"] == "purge":
            self.stdout.write(json.dumps(services.purge()))
            return
        start = _when(opts["start"], end=False)
        end = _when(opts["end"], end=True)
        if end <= start:
            raise CommandError("--to must be after --from")
        if opts["out"] == "-":
            for chunk in selectors.access_report_csv(start, end):
                self.stdout.write(chunk, ending="")
            return
        with open(opts["out"], "w", encoding="utf-8", newline="") as out:
            for chunk in selectors.access_report_csv(start, end):
                out.write(chunk)
