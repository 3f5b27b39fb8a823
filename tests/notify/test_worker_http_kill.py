"""Outbox guarantees against a real SMS gateway over HTTP (a local server) and real worker
processes on PostgreSQL: kill -9 a worker mid-delivery and restart it: 0 messages lost, a
repeat only of the message on the wire and only under its one Idempotency-Key, the dead
worker's rows taken over within seconds (short lease); a send slower than the lease is not
taken over by a second, live worker (the lease heartbeat)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from cskh.notify.models import DeliveryAttempt, Notification
from tests.notify.test_workers_pg import CSKH, _database_url, _log, _stop, _wait

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.long,  # seconds of waiting on worker processes: started early (tests/conftest.py)
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="worker processes with SKIP LOCKED need PostgreSQL (DATABASE_URL=postgres://…)",
    ),
]


class Gateway:
    """An SMS gateway that records every delivery (Idempotency-Key, request_id)."""

    def __init__(self, delay: float = 0.0, slow_first: float = 0.0, gated: bool = False) -> None:
        self.deliveries: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.gate = threading.Event()  # while closed, every request waits (a stuck provider)
        if not gated:
            self.gate.set()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with gateway.lock:
                    first = not gateway.deliveries
                    gateway.deliveries.append((self.headers["Idempotency-Key"], body["request_id"]))
                gateway.gate.wait(180)
                time.sleep(slow_first if first and slow_first else delay)
                out = json.dumps({"message_id": body["request_id"]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def keys(self) -> Counter:
        with self.lock:
            return Counter(key for key, _ in self.deliveries)

    def close(self) -> None:
        self.server.shutdown()


def _worker(gateway: Gateway, *, lease: float, batch: int = 10):
    import subprocess
    import tempfile

    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CSKH_SMS_BACKEND": "http",
        "CSKH_SMS_GATEWAY_URL": gateway.url,
        "CSKH_NOTIFY_LEASE_SECONDS": str(lease),
    }
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [CSKH, "notify_worker", "--batch", str(batch), "--idle-sleep", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    proc.log = log
    return proc


def _queue(n: int, prefix: str) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            template="case_received",
            channel="sms",
            to=f"+8490{i:07d}",
            body=f"Tin {i}",
            next_attempt_at=now,
            dedupe_key=f"{prefix}:{i}",
            created_at=now,
        )
        for i in range(n)
    )


def _sent() -> int:
    return Notification.objects.filter(status="sent").count()


@pytest.fixture
def outbox_db(transactional_db, settings):
    settings.CSKH_NOTIFY_ENQUEUE = False
    return transactional_db


def test_killed_worker_loses_nothing_and_is_taken_over_in_seconds(outbox_db):
    """Two workers, as in production. The gateway holds every request until both workers are
    on the wire; one is then killed -9 and the gateway opens."""
    gateway = Gateway(delay=0.05, gated=True)
    lease = 3.0
    total = 40
    _queue(total, "kill")
    first = _worker(gateway, lease=lease)
    second = None
    try:
        _wait(lambda: len(gateway.deliveries) >= 1, 300, "the first worker on the wire", first)
        second = _worker(gateway, lease=lease)
        _wait(lambda: len(gateway.deliveries) >= 2, 300, "the second worker on the wire", second)
        stranded = set(
            Notification.objects.filter(
                status="sending", lease_owner__endswith=f":{first.pid}"
            ).values_list("dedupe_key", flat=True)
        )
        # its batch, held by the dead worker until its lease ends (a request that waited past
        # the gateway client's timeout went back to the queue as a failed attempt)
        assert stranded
        os.kill(first.pid, signal.SIGKILL)
        first.wait(5)
        killed_at = time.monotonic()
        gateway.gate.set()
        _wait(
            lambda: (
                not Notification.objects.filter(dedupe_key__in=stranded)
                .exclude(status="sent")
                .exists()
            ),
            120,
            "the dead worker's rows delivered",
            second,
        )
        taken_over = time.monotonic() - killed_at
        _wait(lambda: _sent() == total, 120, f"all {total} sent", second)
    finally:
        gateway.gate.set()
        _stop(first, *([second] if second else []))
        gateway.close()
    keys = gateway.keys()
    assert set(keys) == {f"kill:{i}" for i in range(total)}  # 0 lost
    repeats = {k for k, c in keys.items() if c > 1}
    # a repeat only where an attempt was lost (the kill) or failed (a client timeout on the
    # stuck gateway), and always under the message's one key
    unsure = set(
        DeliveryAttempt.objects.filter(outcome__in=["lost", "failed"]).values_list(
            "notification__dedupe_key", flat=True
        )
    )
    assert repeats <= unsure, (repeats, unsure)
    assert len(repeats) <= 2, repeats
    assert all(key == request_id for key, request_id in gateway.deliveries)
    # the lease was 120 s; now the lease (3 s here, 15 s by default) and a poll, with a wide
    # margin for a loaded 2-core machine
    assert taken_over < lease + 20, taken_over


def test_a_send_slower_than_the_lease_is_not_taken_over(outbox_db):
    gateway = Gateway(delay=0.05, slow_first=5.0)  # the first send takes 2.5 leases
    _queue(6, "slow")
    workers = [_worker(gateway, lease=2.0, batch=3) for _ in range(2)]
    try:
        _wait(lambda: _sent() == 6, 120, "all 6 sent", *workers)
    finally:
        _stop(*workers)
        gateway.close()
    keys = gateway.keys()
    assert set(keys) == {f"slow:{i}" for i in range(6)}
    assert max(keys.values()) == 1, (keys, [_log(w) for w in workers])
