"""Delivery worker: claim due rows, deliver, record every attempt, retry with backoff.

Claiming: one short transaction selects due rows (pending, or sending with an expired lease)
with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL — several workers on several hosts never
claim the same row — and marks them `sending` with a lease (next_attempt_at = lease expiry).
On SQLite the IMMEDIATE transaction mode takes the write lock at BEGIN, which serializes claims.

Never twice: a row leaves `sending` only through this worker's own commit, guarded by
lease_owner; after `sent` it is never claimed again, and the dedupe key makes the row itself
unique. The one unavoidable edge is a crash after the provider accepted the message but before
the `sent` commit: the lease expires, the claim records a "lost" attempt and the message is sent
again (at-least-once). Both sends carry the same RFC 5322 Message-ID (derived from the dedupe
key) for SMTP, and the same Idempotency-Key / request_id for HTTP gateways, so the receiving
side can drop the copy. The window is one provider round trip per worker crash.

What is guaranteed, exactly:

- at least once: a committed outbox row is delivered or, after CSKH_NOTIFY_MAX_ATTEMPTS,
  marked failed; a worker crash loses nothing;
- a repeat only after a crash (or a lease lost to a stalled database), only of the message
  that was on the wire, and always with the same key (Message-ID / Idempotency-Key /
  request_id / ZNS tracking_id): harmless at a provider that honours it;
- a killed worker's rows are taken over after its lease runs out: CSKH_NOTIFY_LEASE_SECONDS
  (15 s) plus a poll; a live worker keeps its leases however slow a send is (``Heartbeat``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field
from django.utils import timezone

from cskh.notify.channels import Backend, DeliveryError, get_backend
from cskh.notify.models import DeliveryAttempt, Notification

log = logging.getLogger("cskh.notify.worker")
S = Notification.Status


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def lease_seconds() -> float:
    return float(settings.CSKH_NOTIFY_LEASE_SECONDS)


def max_attempts() -> int:
    return int(settings.CSKH_NOTIFY_MAX_ATTEMPTS)


def backoff(attempt: int) -> timedelta:
    """Exponential: base · 2^(attempt-1), capped."""
    base = float(settings.CSKH_NOTIFY_BACKOFF_BASE_SECONDS)
    cap = float(settings.CSKH_NOTIFY_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=min(cap, base * 2 ** max(attempt - 1, 0)))


def _async_commit_enabled() -> bool:
    return connection.vendor == "postgresql" and settings.CSKH_NOTIFY_ASYNC_COMMIT


@contextlib.contextmanager
def relaxed_commits():
    """PostgreSQL: the worker's bookkeeping commits (claims, outcomes) do not wait for the WAL
    flush while inside this block.

    They stay durable against a *worker* crash — the server has the commit — and only a crash of
    the database server itself can forget the last few hundred milliseconds of outcomes; those
    messages are then re-sent with the same Message-ID / Idempotency-Key (at-least-once,
    deduplicated downstream). Saves one fsync per message. Off unless
    CSKH_NOTIFY_ASYNC_COMMIT is on (an operator's explicit trade of durability for speed).
    """
    if not _async_commit_enabled() or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cur:
                cur.execute("RESET synchronous_commit")
        except Exception:  # a broken connection is discarded by Django anyway
            log.debug("could not reset synchronous_commit", exc_info=True)


def claim(*, worker: str, batch: int = 100, ids: list[int] | None = None) -> list[int]:
    """Claim up to `batch` due rows for this worker. Returns their ids."""
    now = timezone.now()
    with transaction.atomic():
        qs = Notification.objects.filter(
            status__in=[S.PENDING, S.SENDING], next_attempt_at__lte=now
        )
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        qs = qs.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs.values_list("id", "status", "attempts", "lease_owner")[:batch])
        if not rows:
            return []
        lost = [
            DeliveryAttempt(
                notification_id=pk,
                number=attempts,
                worker=owner or "?",
                outcome=DeliveryAttempt.Outcome.LOST,
                error="lease expired without a recorded outcome",
                started_at=now,
                finished_at=now,
            )
            for pk, status, attempts, owner in rows
            if status == S.SENDING
        ]
        if lost:
            DeliveryAttempt.objects.bulk_create(lost)
        claimed = [r[0] for r in rows]
        Notification.objects.filter(pk__in=claimed).update(
            status=S.SENDING,
            lease_owner=worker,
            next_attempt_at=now + timedelta(seconds=lease_seconds()),
            attempts=F("attempts") + 1,
        )
    return claimed


def _finish(
    n: Notification,
    *,
    worker: str,
    started,
    ok: bool,
    provider_id: str = "",
    error: str = "",
    permanent: bool = False,
) -> None:
    now = timezone.now()
    if ok:
        changes = {"status": S.SENT, "sent_at": now, "provider_message_id": provider_id[:200]}
    elif permanent or n.attempts >= max_attempts():
        changes = {"status": S.FAILED, "last_error": error[:2000]}
    else:
        changes = {
            "status": S.PENDING,
            "next_attempt_at": now + backoff(n.attempts),
            "last_error": error[:2000],
        }
    attempt = DeliveryAttempt(
        notification_id=n.pk,
        number=n.attempts,
        worker=worker,
        outcome=DeliveryAttempt.Outcome.SENT if ok else DeliveryAttempt.Outcome.FAILED,
        error=error[:2000],
        provider_message_id=provider_id[:200],
        started_at=started,
        finished_at=now,
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        updated = _finish_pg(n.pk, worker, changes, attempt)
        if not updated:
            log.warning("notification %s: lease lost before recording the outcome", n.pk)
        return
    with transaction.atomic():
        updated = Notification.objects.filter(pk=n.pk, status=S.SENDING, lease_owner=worker).update(
            **changes
        )
        if not updated:
            log.warning("notification %s: lease lost before recording the outcome", n.pk)
        attempt.save(force_insert=True)


def _column(name: str) -> str:
    field = Notification._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:  # e.g. a reverse relation
        raise ValueError(f"Notification.{name} is not a column")
    return field.column


def _finish_pg(pk: int, worker: str, changes: dict, attempt: DeliveryAttempt) -> int:
    """The outcome and its attempt row in one statement (one round trip, atomic by itself)."""
    n_table = Notification._meta.db_table
    a_table = DeliveryAttempt._meta.db_table
    cols = list(changes)
    sets = ", ".join(f"{_column(c)} = %s" for c in cols)
    a_cols = [
        "notification_id",
        "number",
        "worker",
        "outcome",
        "error",
        "provider_message_id",
        "started_at",
        "finished_at",
    ]
    sql = (
        f"WITH upd AS (UPDATE {n_table} SET {sets} "
        f"WHERE id = %s AND status = %s AND lease_owner = %s RETURNING id), "
        f"ins AS (INSERT INTO {a_table} ({', '.join(a_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(a_cols))})) "
        f"SELECT count(*) FROM upd"
    )
    params = [changes[c] for c in cols] + [pk, S.SENDING, worker]
    params += [getattr(attempt, c) for c in a_cols]
    params = [str(v) if isinstance(v, str) else v for v in params]  # TextChoices → plain str
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


class _Lease:
    """This worker's lease on its claimed rows. Renewed at half-life; a row is only sent while
    the lease is certainly still ours (local clock, with a margin), so a slow worker never sends
    a row that another worker may have re-claimed after expiry."""

    def __init__(self, worker: str, ids: list[int]):
        self.worker = worker
        self.ids = set(ids)
        self.seconds = lease_seconds()
        self.until = time.monotonic() + self.seconds

    def ensure(self, pk: int) -> bool:
        left = self.until - time.monotonic()
        if left > self.seconds / 2:
            return pk in self.ids
        started = time.monotonic()
        now = timezone.now()
        with transaction.atomic():
            # rows another worker re-claimed after an expiry no longer carry our name
            locked = Notification.objects.filter(
                pk__in=self.ids, status=S.SENDING, lease_owner=self.worker
            )
            if connection.features.has_select_for_update_skip_locked:
                locked = locked.select_for_update(skip_locked=True)
            self.ids = set(locked.values_list("pk", flat=True))
            Notification.objects.filter(pk__in=self.ids).update(
                next_attempt_at=now + timedelta(seconds=self.seconds)
            )
        self.until = started + self.seconds
        return pk in self.ids

    def done(self, pk: int) -> None:
        self.ids.discard(pk)


def deliver(ids: list[int], *, worker: str, backends: dict[str, Backend] | None = None) -> dict:
    """Deliver claimed rows one by one; each outcome is committed right after its send."""
    stats: defaultdict[str, int] = defaultdict(int)
    own = backends is None
    backends = {} if backends is None else backends
    lease = _Lease(worker, ids)
    try:
        rows = Notification.objects.filter(pk__in=ids, status=S.SENDING, lease_owner=worker)
        for n in rows.order_by("id"):
            if not lease.ensure(n.pk):
                stats["lease_lost"] += 1
                continue
            backend = backends.get(n.channel)
            if backend is None:
                backend = backends[n.channel] = get_backend(n.channel)
                try:
                    backend.open()
                except Exception as exc:  # the send below reports and retries
                    log.warning("could not open %s backend: %s", n.channel, exc)
            started = timezone.now()
            try:
                provider_id = backend.send(n)
            except DeliveryError as exc:
                _finish(
                    n,
                    worker=worker,
                    started=started,
                    ok=False,
                    error=str(exc),
                    permanent=exc.permanent,
                )
                lease.done(n.pk)
                stats["failed"] += 1
                continue
            except Exception as exc:  # unexpected backend bug: retry later, keep the worker up
                log.exception("backend error on notification %s", n.pk)
                _finish(n, worker=worker, started=started, ok=False, error=repr(exc))
                lease.done(n.pk)
                stats["failed"] += 1
                continue
            _finish(n, worker=worker, started=started, ok=True, provider_id=provider_id or "")
            lease.done(n.pk)
            stats["sent"] += 1
    finally:
        if own:
            for b in backends.values():
                b.close()
    return dict(stats)


def run_once(
    *, batch: int = 100, worker: str | None = None, backends=None, ids: list[int] | None = None
) -> dict:
    worker = worker or worker_name()
    with relaxed_commits():
        claimed = claim(worker=worker, batch=batch, ids=ids)
        if not claimed:
            return {"claimed": 0}
        stats = deliver(claimed, worker=worker, backends=backends)
    stats["claimed"] = len(claimed)
    return stats


class Heartbeat:
    """Renews this worker's leases every ``lease / 3`` seconds from a thread of its own, while a
    send may be waiting on a slow provider: the lease can then be short (CSKH_NOTIFY_LEASE_SECONDS,
    15 s), so a killed worker's rows are taken over within seconds, yet a live worker on a
    send slower than the lease never loses its rows to another (which would send twice).

    Each beat also writes its time to the shared cache (``notify:worker:last_beat``; Redis or
    the database cache table), which ``/readyz`` reads to tell that a worker is alive."""

    def __init__(self, worker: str) -> None:
        import threading

        self.worker = worker
        self.interval = max(lease_seconds() / 3, 0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="notify-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(self.interval * 2 + 5)

    def beat(self) -> int:
        from django.core.cache import cache

        cache.set(f"notify:worker:{self.worker}", time.time(), timeout=300)
        cache.set("notify:worker:last_beat", time.time(), timeout=300)
        return Notification.objects.filter(status=S.SENDING, lease_owner=self.worker).update(
            next_attempt_at=timezone.now() + timedelta(seconds=lease_seconds())
        )

    def _run(self) -> None:
        from django.db import connections

        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.beat()
                except Exception:  # the next beat retries; _Lease.ensure still guards sends
                    log.warning("lease heartbeat failed", exc_info=True)
        finally:
            connections.close_all()


def run_loop(
    *,
    batch: int = 100,
    idle_sleep: float = 1.0,
    stop=None,
    max_idle_rounds=None,
) -> None:
    """The long-running worker: keeps backend connections open across batches. Periodic work
    (the SLA scan, incident ticks) belongs to `cskh scheduler`, not here."""
    worker = worker_name()
    backends: dict[str, Backend] = {}
    idle = 0
    heartbeat = Heartbeat(worker)
    heartbeat.__enter__()
    try:
        while stop is None or not stop():
            stats = run_once(batch=batch, worker=worker, backends=backends)
            if stats["claimed"]:
                idle = 0
                continue
            idle += 1
            if max_idle_rounds is not None and idle >= max_idle_rounds:
                return
            time.sleep(idle_sleep)
    finally:
        heartbeat.__exit__()
        for b in backends.values():
            b.close()
