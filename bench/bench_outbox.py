"""Outbox delivery throughput: N e-mails to a local SMTP server (aiosmtpd, in this process),
delivered by 1 and by 2 `cskh notify_worker` processes against PostgreSQL.

Uses a scratch database `<bench db>_outbox` on the same server (created and migrated on first
use; the notify tables are emptied before each run), so the big data set is never touched.
Reports messages/s from the first to the last accepted message and checks that every
Message-ID arrived exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser

from _common import BIN, Skip, free_port, pg_available


class _Sink:
    def __init__(self):
        self.lock = threading.Lock()
        self.ids: Counter = Counter()
        self.first = self.last = 0.0

    async def handle_DATA(self, server, session, envelope):
        mid = BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]
        now = time.perf_counter()
        with self.lock:
            self.ids[mid] += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.ids.values())


def _scratch(database_url: str) -> str:
    import psycopg

    base, _, name = database_url.rpartition("/")
    scratch = f"{name}_outbox"
    with psycopg.connect(
        (base + "/postgres").replace("postgres://", "postgresql://"), autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch]).fetchone():
            conn.execute(f'CREATE DATABASE "{scratch}"')
    return f"{base}/{scratch}"


def _env(url: str, smtp_port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CSKH_EMAIL_BACKEND": "smtp",
        "DJANGO_SETTINGS_MODULE": "cskh.settings",
    }


def _queue(url: str, n: int, tag: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("TRUNCATE notify_deliveryattempt, notify_notification")
        conn.execute(
            """
            INSERT INTO notify_notification
              (template, channel, "to", subject, body, status, attempts, next_attempt_at,
               lease_owner, dedupe_key, provider_message_id, last_error, skip_reason, created_at)
            SELECT 'case_resolved', 'email', 'kh' || i || '@example.vn',
                   'Yêu cầu CS-2026-' || lpad(i::text, 6, '0') || ' đã được giải quyết',
                   'CSKH: Yêu cầu đã được giải quyết. Cảm ơn Quý khách.', 'pending', 0, now(),
                   '', %s || ':' || i, '', '', '', now()
            FROM generate_series(1, %s) AS i
            """,
            [tag, n],
        )
        conn.execute("ANALYZE notify_notification")


def _run(url: str, n: int, workers: int, batch: int) -> tuple[float, float, Counter]:
    from aiosmtpd.controller import Controller

    sink = _Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    _queue(url, n, f"bench{workers}")
    env = _env(url, port)
    procs = [
        subprocess.Popen(
            [
                str(BIN / "cskh"),
                "notify_worker",
                "--batch",
                str(batch),
                "--idle-sleep",
                "0.1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    started = time.perf_counter()
    try:
        deadline = started + 600
        while sink.total() < n and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        controller.stop()
    if sink.total() < n:
        raise RuntimeError(f"only {sink.total()} of {n} messages arrived")
    return sink.last - sink.first, time.perf_counter() - started, sink.ids


def run(args) -> list[dict]:
    if not pg_available(args.database_url):
        raise Skip(f"PostgreSQL not reachable at {args.database_url}")
    url = _scratch(args.database_url)
    subprocess.run(
        [str(BIN / "cskh"), "migrate", "-v", "0"],
        env=_env(url, 25),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    n = 500 if args.quick else 3000
    rows = []
    for workers in (1, 2):
        busy, wall, ids = _run(url, n, workers, batch=50)
        dupes = sum(c - 1 for c in ids.values())
        rows.append(
            {
                "benchmark": f"outbox: e-mail delivery, {workers} worker(s)",
                "data": f"{n:,} messages → local aiosmtpd, PostgreSQL, batch 50",
                "median": f"{n / busy:,.0f} msg/s",
                "p95": f"{n / wall:,.0f} msg/s incl. worker start",
                "result": "each Message-ID exactly once"
                if dupes == 0 and len(ids) == n
                else f"{dupes} duplicates, {len(ids)} distinct",
                "target": "report (2 workers)",
            }
        )
    return rows
