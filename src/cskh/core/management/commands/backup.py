from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cskh.core.backup import backup


class Command(BaseCommand):
    help = "Consistent copy of the database (SQLite online backup; PostgreSQL pg_dump -Fc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="file to write")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        written = backup(path)
        self.stdout.write(f"backup written to {written} ({written.stat().st_size} bytes)")
