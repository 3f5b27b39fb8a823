"""Planner statistics after bulk changes.

PostgreSQL here may run with ``autovacuum = off`` (and even with it on, statistics lag a big
import by minutes): after a bulk change the planner keeps estimating from the old row counts
and value frequencies, and plans go stale (a queue page went from 34 to 191 ms p95 until a
manual ANALYZE). Every bulk writer (demo build, imports, backfills, index rebuilds,
benchmarks) therefore calls ``analyze`` for the tables it changed. SQLite: ``ANALYZE`` fills
``sqlite_stat1`` the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction

# Below this many changed rows an import leaves the statistics alone (ANALYZE samples up to
# 30,000 rows per table: cheap, but not worth it for a handful of rows).
MIN_ROWS = 1000


def _table(model_or_table: type[models.Model] | str) -> str:
    if isinstance(model_or_table, str):
        return model_or_table
    return model_or_table._meta.db_table


def analyze(tables: Iterable[type[models.Model] | str] = (), *, rows: int | None = None) -> None:
    """ANALYZE `tables` (models or table names; none: the whole database) after the current
    transaction commits (at once outside a transaction). `rows`: how many rows the caller
    changed; below MIN_ROWS nothing is done."""
    if rows is not None and rows < MIN_ROWS:
        return
    names = [_table(t) for t in tables]

    def run() -> None:
        quote = connection.ops.quote_name
        with connection.cursor() as cur:
            if not names:
                cur.execute("ANALYZE")
            for name in names:
                cur.execute(f"ANALYZE {quote(name)}")

    transaction.on_commit(run)
