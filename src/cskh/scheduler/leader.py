"""Exactly one active `cskh scheduler` per installation: a PostgreSQL advisory lock.

The per-job lease rows (`services.tick`) already make each due time run once however many
schedulers tick. This lock adds the deployment rule on top: of the schedulers started (one per
host for failover, say), one is the leader and ticks; the others wait on standby and one of
them takes over within a tick when the leader stops (its session, and so its lock, ends when
the process or its connection dies).

The lock is a session-level ``pg_try_advisory_lock`` held on a connection of its own
(``connections.create_connection``): Django's request/worker connection handling
(``close_old_connections``, CONN_MAX_AGE) never closes it under the lock. On SQLite (one
machine by definition) there is nothing to coordinate: every scheduler is the leader, and the
lease rows still keep due times from running twice.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger("cskh.scheduler")

#: The advisory lock key (any bigint agreed by all schedulers: "cskhsched" in ASCII, truncated).
LOCK_KEY = 0x63736B6873636865


class Leadership:
    """``acquire()`` → True while this process is the leader; call it every tick (it re-checks
    that the lock's connection is still alive, and re-tries the lock on standby)."""

    def __init__(self, alias: str = DEFAULT_DB_ALIAS) -> None:
        self.alias = alias
        self.conn: BaseDatabaseWrapper | None = None
        self.held = False

    @property
    def needed(self) -> bool:
        return connections[self.alias].vendor == "postgresql"

    def acquire(self) -> bool:
        if not self.needed:
            return True
        try:
            if self.conn is None:
                self.conn = connections.create_connection(self.alias)
            with self.conn.cursor() as cursor:
                if self.held:
                    # the session is alive, so the lock is still ours (it ends only with the
                    # session: a restarted PostgreSQL or a dropped connection raises here)
                    cursor.execute("SELECT 1")
                else:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                    self.held = bool(cursor.fetchone()[0])
        except Exception:  # database gone: not the leader until it answers again
            log.exception("scheduler: leader lock check failed")
            self.release()
            return False
        return self.held

    def release(self) -> None:
        """Give the lock up (unlock, then close: a pooled connection goes back to its pool)."""
        held, self.held = self.held, False
        if self.conn is not None:
            try:
                if held:
                    with self.conn.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
                self.conn.close()
            except Exception:  # noqa: BLE001 — already broken: nothing to free
                pass
            self.conn = None
