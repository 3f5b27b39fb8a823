"""cskh social_import FILE --format jsonl|csv: a listening vendor's export (docs/social.md)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from cskh.core.dbstats import analyze
from cskh.core.errors import DomainError
from cskh.social.services.sources import import_export


class Command(BaseCommand):
    help = "Import mentions from a JSON-lines or CSV export (schema in docs/social.md); '-' reads stdin."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", choices=["jsonl", "csv"], default=None)

    def handle(self, *args, **opts):
        path = opts["path"]
        fmt = opts["format"] or ("csv" if path.endswith(".csv") else "jsonl")
        try:
            if path == "-":
                result = import_export(sys.stdin, fmt=fmt)
            else:
                with open(path, encoding="utf-8-sig", newline="") as fh:
                    result = import_export(fh, fmt=fmt)
        except (OSError, DomainError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        analyze(["social_mention", "social_mentionband"])
        self.stdout.write(
            f"rows {result['rows']}, new {result['new']}, duplicates {result['duplicates']}"
        )
