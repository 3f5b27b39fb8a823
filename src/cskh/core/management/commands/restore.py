from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cskh.core.backup import restore


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by `cskh backup` (stop the other processes first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="file written by `cskh backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, path: Path, yes: bool, **options: Any) -> None:
        if not yes and input(f"Replace the database with {path}? [y/N] ").lower() != "y":
            raise CommandError("not restored")
        restore(path)
        self.stdout.write(f"restored from {path}")
