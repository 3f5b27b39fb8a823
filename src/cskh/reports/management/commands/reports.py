"""`cskh reports rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: recompute the rollup tables
from the cases and calls, a month at a time, with a progress bar; `cskh reports refresh`:
what the per-minute job does (today and the dirty days)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cskh.reports.services import rollups


class Command(BaseCommand):
    help = "Rollup tables of the reports: rebuild (with a progress bar) or refresh."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "refresh"])
        parser.add_argument("--from", dest="start", help="first day (default: first data)")
        parser.add_argument("--to", dest="end", help="last day (default: today)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "refresh":
            self.stdout.write(str(rollups.refresh()))
            return
        found = rollups.source_range()
        try:
            start = date.fromisoformat(opts["start"]) if opts["start"] else None
            end = date.fromisoformat(opts["end"]) if opts["end"] else None
        except ValueError as exc:
            raise CommandError(f"bad date: {exc}") from exc
        if found is None and (start is None or end is None):
            self.stdout.write("no cases or calls: nothing to rebuild")
            return
        start = start or found[0]  # type: ignore[index]
        end = end or found[1]  # type: ignore[index]
        total = (end - start).days + 1
        with tqdm(
            total=total, unit="day", desc="rollups", disable=opts["no_progress"], file=self.stderr
        ) as bar:
            done = rollups.rebuild(start, end, progress=bar.update)
        self.stdout.write(
            f"rebuilt {done['days']} days: {done['cases']} cases, {done['calls']} calls"
        )
