"""Worker processes against real PostgreSQL and a real SMTP server (aiosmtpd).

* kill -9 a worker in the middle of a batch of 1,000 messages, restart it: every message is
  delivered, and a message is never delivered under two Message-IDs; the only possible repeat is
  the single message that was on the wire when the process died (same Message-ID, a recorded
  "lost" attempt), which the receiving side drops as a duplicate.
* two workers at once: each message exactly once (SELECT … FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from cskh.notify import services as notify
from cskh.notify.models import DeliveryAttempt, Notification

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.long,  # seconds of waiting on worker processes: started early (tests/conftest.py)
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="worker processes with SKIP LOCKED need PostgreSQL (DATABASE_URL=postgres://…)",
    ),
]

CSKH = str(Path(sys.executable).parent / "cskh")
LEASE = 3


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(sink, batch: int, lease: float = LEASE) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "CSKH_EMAIL_BACKEND": "smtp",
        "CSKH_NOTIFY_LEASE_SECONDS": str(lease),
    }
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty worker never blocks
    proc = subprocess.Popen(
        [CSKH, "notify_worker", "--batch", str(batch), "--idle-sleep", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    proc.log = log
    return proc


def _log(proc: subprocess.Popen) -> str:
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")[-3000:]


def _queue(n: int, prefix: str) -> dict[str, int]:
    """n e-mails in the outbox (rendered once by the service, inserted in bulk like an
    incident broadcast); returns Message-ID → notification id."""
    from django.utils import timezone

    subject, body = notify.render(
        "case_resolved", "email", {"case_number": "CS-2026-000001", "resolution": "Đã xử lý"}
    )
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            template="case_resolved",
            channel="email",
            to=f"kh{i}@example.vn",
            subject=subject,
            body=body,
            next_attempt_at=now,
            dedupe_key=f"{prefix}:{i}",
            created_at=now,
        )
        for i in range(n)
    )
    rows = Notification.objects.filter(dedupe_key__startswith=f"{prefix}:")
    return {r.message_id: r.pk for r in rows}


def _wait(predicate, timeout: float, what: str, *procs: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            logs = "\n".join(f"worker {p.pid} (rc={p.poll()}): {_log(p)}" for p in procs)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.05)


def _stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _other_connections() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cur.fetchone()[0]


def _sent() -> int:
    return Notification.objects.filter(status="sent").count()


@pytest.fixture
def outbox_db(transactional_db, settings):
    settings.CSKH_NOTIFY_ENQUEUE = False  # the worker processes poll the outbox
    return transactional_db


def test_kill_9_mid_batch_then_restart_delivers_each_exactly_once(outbox_db, smtp_sink):
    expected = _queue(1000, "kill")
    first = _worker(smtp_sink, batch=50)
    try:
        _wait(lambda: len(smtp_sink) >= 300, 120, "300 messages before the kill", first)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(5)
        at_kill = len(smtp_sink)
        assert at_kill < 1000, "the worker finished before it could be killed"
        stranded = Notification.objects.filter(status="sending").count()
        # its claimed batch (if any) stays leased to the dead process until the lease expires
        second = _worker(smtp_sink, batch=50)
        try:
            _wait(lambda: _sent() == 1000, 120, "all 1,000 messages sent after the restart", second)
        finally:
            _stop(second)
    finally:
        _stop(first)

    ids = smtp_sink.ids()
    assert set(ids) == set(expected)  # every message arrived; no unknown Message-ID
    repeats = {mid: c for mid, c in ids.items() if c > 1}
    assert sum(c - 1 for c in repeats.values()) <= 1, repeats  # at most the in-flight one
    assert len(smtp_sink) in (1000, 1001)
    for mid in repeats:  # a repeat is only ever the message whose outcome the kill erased
        outcomes = set(
            DeliveryAttempt.objects.filter(notification_id=expected[mid]).values_list(
                "outcome", flat=True
            )
        )
        assert outcomes == {"lost", "sent"}
    # every attempt is recorded: one "sent" per message, "lost" for the dead worker's lease
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 1000
    assert (
        DeliveryAttempt.objects.filter(notification_id__in=expected.values(), outcome="sent")
        .values("notification_id")
        .distinct()
        .count()
        == 1000
    )
    assert DeliveryAttempt.objects.filter(outcome="lost").count() == stranded
    workers = set(DeliveryAttempt.objects.filter(outcome="sent").values_list("worker", flat=True))
    assert len(workers) == 2  # both the killed and the restarted process delivered


def test_two_workers_at_once_never_deliver_twice(outbox_db, smtp_sink):
    # no crash here, so a production-like lease: a stalled (overloaded) worker keeps its rows
    a, b = _worker(smtp_sink, batch=20, lease=60), _worker(smtp_sink, batch=20, lease=60)
    try:
        # both processes polling the (empty) outbox before the batch lands, so neither can
        # drain it alone while the other is still starting up
        _wait(lambda: _other_connections() >= 2, 60, "both workers connected", a, b)
        expected = _queue(1000, "two")
        _wait(lambda: _sent() == 1000, 120, "two workers to send 1,000 messages", a, b)
    finally:
        _stop(a, b)
    assert "Traceback" not in _log(a) + _log(b), (_log(a), _log(b))
    ids = smtp_sink.ids()
    assert set(ids) == set(expected)
    assert set(ids.values()) == {1} and len(smtp_sink) == 1000  # exactly once, raw count
    per_worker = {}
    for w in DeliveryAttempt.objects.filter(outcome="sent").values_list("worker", flat=True):
        per_worker[w] = per_worker.get(w, 0) + 1
    assert len(per_worker) == 2 and all(n >= 50 for n in per_worker.values()), per_worker
    assert DeliveryAttempt.objects.count() == 1000  # no lost or failed attempt in between
