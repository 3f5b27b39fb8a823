"""Planner statistics after bulk changes (issue #21: autovacuum may be off)."""

import pytest
from django.db import connection

from cskh.core import dbstats
from cskh.search.models import SearchDocument

TABLE = SearchDocument._meta.db_table


def rows_in_statistics() -> int | None:
    """What the planner believes the table holds (None: no statistics)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # a partitioned table: its partitions hold the rows
            cur.execute(
                "SELECT sum(c.reltuples) FROM pg_class c WHERE c.oid IN "
                "(SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
                [TABLE],
            )
            value = cur.fetchone()[0]
            return None if value is None or value < 0 else int(value)
        cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cur.fetchone() is None:
            return None
        cur.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        row = cur.fetchone()
        return int(row[0].split()[0]) if row else None


def bulk(n: int) -> None:
    SearchDocument.objects.bulk_create(
        SearchDocument(kind="article", object_id=i, ref=str(i), title="t", title_folded="t")
        for i in range(n)
    )


@pytest.mark.django_db
def test_analyze_runs_after_commit_and_refreshes_the_row_count(
    django_capture_on_commit_callbacks,
):
    bulk(1500)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dbstats.analyze([SearchDocument], rows=1500)
    assert len(callbacks) == 1  # nothing yet: the caller's transaction may still roll back
    callbacks[0]()
    assert rows_in_statistics() == 1500


@pytest.mark.django_db
def test_small_changes_leave_statistics_alone(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dbstats.analyze([SearchDocument], rows=dbstats.MIN_ROWS - 1)
    assert callbacks == []


@pytest.mark.django_db
def test_whole_database_analyze(django_capture_on_commit_callbacks):
    bulk(1200)
    with django_capture_on_commit_callbacks(execute=True):
        dbstats.analyze()
    assert rows_in_statistics() == 1200
