"""Fast bulk loading for the demo data: COPY on PostgreSQL, executemany on SQLite.

Rows are *lines*: the values already in the backend's text form, joined by tabs (PostgreSQL's
COPY text format; ``Sink.null`` is ``\\N``). On PostgreSQL a line goes to COPY unchanged; on
SQLite it is split on tabs and inserted with ``NULLIF(?, '\\N')`` so NULLs survive. Demo text
never contains tabs, newlines or backslashes; ``clean`` removes them from anything else.

On PostgreSQL, ``Sink.start_background`` hands the COPY work to a thread (psycopg releases the
GIL while the server ingests), so generating the next block of rows in Python overlaps with
PostgreSQL storing the previous one: the two halves of the work run on two cores.

``Sink.drop_secondary`` drops the secondary indexes, unique and foreign-key constraints of the
tables being loaded and returns the SQL that re-creates them, all inside the caller's
transaction (PostgreSQL DDL is transactional, so a failed build leaves the schema untouched).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Sequence

from django.db import connection

NULL_TEXT = "\\N"


def clean(text: str) -> str:
    if "\t" in text or "\n" in text or "\\" in text or "\r" in text:
        return text.replace("\\", "/").replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return text


class TimeText:
    """Epoch seconds (UTC) → timestamp text, by table lookup: ``hours[e // 3600 - h0] +
    minsec[e % 3600]`` for instants in [start, end] (hour precision), strftime otherwise."""

    def __init__(self, start: int, end: int, suffix: str):
        self.h0 = start // 3600
        n = end // 3600 - self.h0 + 1
        self.hours = [
            time.strftime("%Y-%m-%d %H:", time.gmtime((self.h0 + k) * 3600)) for k in range(n)
        ]
        self.minsec = [f"{m:02d}:{s:02d}{suffix}" for m in range(60) for s in range(60)]
        self.suffix = suffix

    def __call__(self, epoch: int) -> str:
        k = epoch // 3600 - self.h0
        if 0 <= k < len(self.hours):
            return self.hours[k] + self.minsec[epoch % 3600]
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch)) + self.suffix


class Sink:
    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.null = NULL_TEXT
        self.true = "t" if self.pg else "1"
        self.false = "f" if self.pg else "0"
        self.suffix = "+00" if self.pg else ""
        self.rows_written: dict[str, int] = {}
        self.write_seconds: dict[str, float] = {}
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def time_text(self, start: int, end: int) -> TimeText:
        return TimeText(start, end, self.suffix)

    # ------------------------------------------------------------------ writing

    def write(self, table: str, columns: Sequence[str], lines: list[str]) -> None:
        """Insert rows given as tab-separated lines (see the module docstring)."""
        if not lines:
            return
        self.rows_written[table] = self.rows_written.get(table, 0) + len(lines)
        if self._queue is not None:
            if self._error is not None:
                self._raise()
            self._queue.put((table, columns, lines))
            return
        self._write_now(connection.cursor(), table, columns, lines)

    def _write_now(self, cursor, table: str, columns: Sequence[str], lines: list[str]) -> None:
        started = time.perf_counter()
        cols = ", ".join(f'"{c}"' for c in columns)
        with cursor:
            if self.pg:
                # Django's cursor wrapper or a raw psycopg cursor
                raw = getattr(cursor, "cursor", cursor)
                with raw.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    step = 20_000
                    for start in range(0, len(lines), step):
                        copy.write("\n".join(lines[start : start + step]) + "\n")
            else:
                marks = ", ".join([f"NULLIF(%s, '{NULL_TEXT}')"] * len(columns))
                cursor.executemany(
                    f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                    [line.split("\t") for line in lines],
                )
        elapsed = time.perf_counter() - started
        self.write_seconds[table] = self.write_seconds.get(table, 0.0) + elapsed

    def start_background(self) -> None:
        """PostgreSQL: from now on ``write`` only queues; a thread runs the COPYs on the same
        connection (and transaction). The caller must not use the connection until
        ``finish_background``."""
        if not self.pg or self._queue is not None:
            return
        connection.ensure_connection()
        raw = connection.connection
        jobs: queue.Queue = queue.Queue(maxsize=6)
        self._queue = jobs
        self._error = None

        def run() -> None:
            while True:
                item = jobs.get()
                if item is None:
                    return
                if self._error is not None:
                    continue  # drain after a failure
                try:
                    self._write_now(raw.cursor(), *item)
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                    self._error = exc

        self._thread = threading.Thread(target=run, name="demo-copy", daemon=True)
        self._thread.start()

    def finish_background(self, *, raise_error: bool = True) -> None:
        """Waits until every queued write is stored; re-raises the first write error."""
        if self._queue is None or self._thread is None:  # set together by start_background
            return
        self._queue.put(None)
        self._thread.join()
        self._queue = self._thread = None
        if self._error is not None and raise_error:
            self._raise()

    def _raise(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

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

    # ------------------------------------------------------------------ bulk mode

    def drop_secondary(self, tables: Sequence[str]) -> list[str]:
        """Drops indexes (except primary keys), unique and FK constraints; returns the SQL that
        restores them (SQLite: plain indexes only)."""
        if not self.pg:
            return self._drop_sqlite(tables)
        restore_indexes: list[str] = []
        restore_fks: list[str] = []
        drops: list[str] = []
        with connection.cursor() as cursor:
            # Rows created earlier in this transaction (users, units) leave deferred FK checks
            # pending; PostgreSQL refuses to ALTER a referenced table until they have run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
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
                elapsed = time.perf_counter() - started
                if progress and elapsed >= 2:  # only the big ones
                    progress(f"  {sql[:90]}… {elapsed:.1f} s")

    def analyze(self, tables: Sequence[str]) -> None:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
