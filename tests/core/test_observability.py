"""/healthz, /readyz, /metrics, request ids and JSON logs."""

import json
import logging
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from cskh.core.observability import JsonFormatter, RequestIdFilter, request_id_var


def test_healthz_needs_nothing(db):
    r = Client().get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_checks_database_and_worker_heartbeat(db, settings):
    from cskh.notify.worker import Heartbeat

    settings.CSKH_READYZ_REQUIRE_WORKERS = False
    r = Client().get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"]["database"] == "ok"
    if settings.REDIS_URL:
        assert r.json()["checks"]["redis"] == "ok"
    settings.CSKH_READYZ_REQUIRE_WORKERS = True
    from django.core.cache import cache

    cache.delete("notify:worker:last_beat")
    r = Client().get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["notify_worker"] != "ok"
    Heartbeat("test:1").beat()
    r = Client().get("/readyz")
    assert r.status_code == 200, r.json()
    assert r.json()["checks"]["notify_worker"] == "ok"


def test_request_id_is_honoured_or_made(db):
    r = Client().get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r["X-Request-ID"] == "abc-123"
    r = Client().get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert r["X-Request-ID"] != "bad id\nwith newline" and len(r["X-Request-ID"]) == 32


def test_json_log_line_carries_the_request_id():
    token = request_id_var.set("req-42")
    try:
        record = logging.LogRecord("cskh.x", logging.WARNING, __file__, 1, "chào %s", ("An",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "req-42"
    assert line["message"] == "chào An" and line["level"] == "WARNING"


def test_metrics_are_protected_and_report_latency_and_outbox(db, settings):
    from cskh.notify.models import Notification

    settings.CSKH_METRICS_TOKEN = "s3cret"
    settings.CSKH_METRICS_ALLOW_IPS = ["127.0.0.1"]
    stranger = Client(REMOTE_ADDR="10.1.2.3")
    assert stranger.get("/metrics").status_code == 404
    Notification.objects.create(
        template="case_received",
        channel="sms",
        to="+84901234567",
        body="x",
        dedupe_key="m:1",
        next_attempt_at=timezone.now() - timedelta(seconds=90),
        created_at=timezone.now() - timedelta(seconds=90),
    )
    Client().get("/healthz")
    r = stranger.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200
    text = r.content.decode()
    assert 'cskh_outbox_messages{status="pending"} 1.0' in text
    lag = next(line for line in text.splitlines() if line.startswith("cskh_outbox_lag_seconds "))
    assert float(lag.split()[1]) >= 89
    assert (
        'cskh_http_request_duration_seconds_count{method="GET",status="2xx",view="healthz"}' in text
    )
    assert Client().get("/metrics").status_code == 200  # an internal address
