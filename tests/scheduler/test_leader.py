"""Exactly one `cskh scheduler` leads: a PostgreSQL advisory lock on a connection of its own;
the others wait on standby and one takes over when the leader lets go."""

import pytest
from django.db import connection

from cskh.scheduler.leader import Leadership


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_waits_until_the_leader_lets_go():
    if connection.vendor != "postgresql":
        pytest.skip("the leader lock is PostgreSQL's (several machines); SQLite: see next test")
    first, second = Leadership(), Leadership()
    try:
        assert first.acquire() is True
        assert second.acquire() is False  # standby
        assert first.acquire() is True  # still the leader on the next tick
        assert second.acquire() is False
        first.release()  # the leader stops (or its session dies)
        assert second.acquire() is True
        assert first.acquire() is False  # a restarted one now waits
    finally:
        first.release()
        second.release()


@pytest.mark.django_db
def test_on_sqlite_every_scheduler_leads_and_the_lease_rows_keep_jobs_single():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (one machine)")
    assert Leadership().acquire() is True
    assert Leadership().acquire() is True
