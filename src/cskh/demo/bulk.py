"""Fast bulk loading for the demo data: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples of *strings* already in the backend's text form (see ``Sink.null``, ``Sink.ts``)
so the PostgreSQL path is a plain tab-joined COPY stream (no per-value adaptation). Demo text
never contains tabs, newlines or backslashes; ``clean`` removes them from anything else.

On PostgreSQL ``Sink.bulk_mode`` drops the secondary indexes, unique and foreign-key constraints
of the tables being loaded and re-creates them afterwards, all inside the caller's transaction
(PostgreSQL DDL is transactional, so a failed build leaves the schema untouched).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from django.db import connection


def clean(text: str) -> str:
    if "\t" in text or "\n" in text or "\\" in text or "\r" in text:
        return text.replace("\\", "/").replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return text


class Sink:
    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.null = "\\N" if self.pg else None
        self.true = "t" if self.pg else "1"
        self.false = "f" if self.pg else "0"
        self._hours: dict[int, str] = {}
        self._suffix = "+00" if self.pg else ""
        self.rows_written: dict[str, int] = {}

    # ------------------------------------------------------------------ values

    def ts(self, epoch: int) -> str:
        """Epoch seconds (UTC) → the backend's timestamp text."""
        hour, rest = divmod(int(epoch), 3600)
        prefix = self._hours.get(hour)
        if prefix is None:
            prefix = time.strftime("%Y-%m-%d %H:", time.gmtime(hour * 3600))
            self._hours[hour] = prefix
        m, s = divmod(rest, 60)
        return f"{prefix}{m:02d}:{s:02d}{self._suffix}"

    def bool(self, value: bool) -> str:
        return self.true if value else self.false

    # ------------------------------------------------------------------ writing

    def write(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        if not rows:
            return
        self.rows_written[table] = self.rows_written.get(table, 0) + len(rows)
        cols = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    step = 20_000
                    for start in range(0, len(rows), step):
                        chunk = rows[start : start + step]
                        copy.write("\n".join(["\t".join(r) for r in chunk]) + "\n")
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    def next_id(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            return int(cursor.fetchone()[0]) + 1

    def fix_sequences(self, tables: Iterable[str]) -> None:
        if not self.pg:
            return  # SQLite AUTOINCREMENT follows explicit ids by itself
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
                )

    # ------------------------------------------------------------------ PostgreSQL bulk mode

    def drop_secondary(self, tables: Sequence[str]) -> list[str]:
        """Drops indexes (except primary keys), unique and FK constraints; returns the SQL that
        restores them. No-op on SQLite."""
        if not self.pg:
            return self._drop_sqlite(tables)
        restore_indexes: list[str] = []
        restore_fks: list[str] = []
        drops: list[str] = []
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                    [f'"{table}"'],
                )
                constraints = cursor.fetchall()
                names = {c[0] for c in constraints}
                for name, kind, definition in constraints:
                    drops.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    sql = f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                    (restore_fks if kind == "f" else restore_indexes).append(sql)
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "JOIN pg_class c ON c.relname = i.indexname "
                    "JOIN pg_index x ON x.indexrelid = c.oid "
                    "WHERE i.tablename = %s AND i.schemaname = current_schema() "
                    "AND NOT x.indisprimary",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    if name in names:
                        continue
                    drops.append(f'DROP INDEX "{name}"')
                    restore_indexes.append(definition)
            # FK drops first (they may depend on unique constraints)
            drops.sort(key=lambda s: 0 if "DROP CONSTRAINT" in s else 1)
            for sql in drops:
                cursor.execute(sql)
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
            cursor.execute("SET LOCAL synchronous_commit = off")
        return restore_indexes + restore_fks

    def _drop_sqlite(self, tables: Sequence[str]) -> list[str]:
        """Plain (non-unique) indexes only: SQLite keeps UNIQUE constraints inside the table."""
        restore = []
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    restore.append(sql)
        return restore

    def restore(self, statements: Sequence[str], progress=None) -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                started = time.perf_counter()
                cursor.execute(sql)
                if progress:
                    progress(f"  {sql[:90]}… {time.perf_counter() - started:.1f} s")

    def analyze(self, tables: Sequence[str]) -> None:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
