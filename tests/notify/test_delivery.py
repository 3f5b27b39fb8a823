"""Delivery through real servers: aiosmtpd (email) and an HTTP gateway (SMS / Zalo ZNS)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.notify import services as notify
from cskh.notify import worker
from cskh.notify.models import DeliveryAttempt, Notification


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    settings.CSKH_NOTIFY_ENQUEUE = False
    settings.CSKH_SMTP = {**settings.CSKH_SMTP, "HOST": smtp_sink.host, "PORT": smtp_sink.port}
    settings.CSKH_NOTIFY_BACKENDS = {**settings.CSKH_NOTIFY_BACKENDS, "email": {"BACKEND": "smtp"}}
    return settings


@pytest.fixture
def gateway_settings(settings, gateway):
    settings.CSKH_NOTIFY_ENQUEUE = False
    settings.CSKH_NOTIFY_BACKOFF_BASE_SECONDS = 0.4
    conf = {"BACKEND": "http", "URL": gateway.url, "TOKEN": "bi-mat", "TIMEOUT": 5}
    settings.CSKH_NOTIFY_BACKENDS = {**settings.CSKH_NOTIFY_BACKENDS, "sms": conf, "zalo": conf}
    return settings


def queue_emails(n: int, prefix: str = "t") -> list[Notification]:
    return [
        notify.notify_address(
            channel="email",
            to=f"kh{i}@example.vn",
            template="case_resolved",
            context={"case_number": f"CS-2026-{i:06d}", "resolution": "Đã thay công tơ"},
            dedupe_key=f"{prefix}:{i}",
        )
        for i in range(n)
    ]


def test_email_through_real_smtp_once_with_stable_message_id(db, smtp_settings, smtp_sink):
    rows = queue_emails(25)
    stats = worker.run_once(batch=10)
    assert stats == {"claimed": 10, "sent": 10}
    while worker.run_once(batch=10)["claimed"]:
        pass
    assert len(smtp_sink) == 25
    ids = smtp_sink.ids()
    assert set(ids) == {n.message_id for n in rows} and set(ids.values()) == {1}
    first = smtp_sink.messages[0]
    assert first["to"] == ["kh0@example.vn"]
    assert "Yêu cầu CS-2026-000000 đã được giải quyết" in first["subject"]
    assert "Đã thay công tơ" in first["body"]
    assert Notification.objects.filter(status="sent").count() == 25
    assert DeliveryAttempt.objects.filter(outcome="sent").count() == 25
    # sent rows are never claimed again
    assert worker.run_once() == {"claimed": 0}
    assert len(smtp_sink) == 25


def test_smtp_down_is_retried_with_backoff(db, settings, smtp_settings, smtp_sink):
    from tests.notify.conftest import free_port

    settings.CSKH_SMTP = {**settings.CSKH_SMTP, "PORT": free_port(), "TIMEOUT": 2}
    [n] = queue_emails(1)
    assert worker.run_once() == {"claimed": 1, "failed": 1}
    n.refresh_from_db()
    assert n.status == "pending" and n.attempts == 1 and "SMTP" in n.last_error
    delay = (n.next_attempt_at - timezone.now()).total_seconds()
    assert 25 < delay <= 30  # base backoff 30 s
    settings.CSKH_SMTP = {**settings.CSKH_SMTP, "PORT": smtp_sink.port}
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
    assert worker.run_once()["sent"] == 1
    assert list(n.delivery_attempts.order_by("number").values_list("outcome", flat=True)) == [
        "failed",
        "sent",
    ]
    assert len(smtp_sink) == 1


def test_gateway_5xx_retries_with_exponential_backoff_then_sends(world, gateway_settings, gateway):
    gateway.script = [(503, {"error": "busy"}), (500, {"error": "oops"})]
    n = notify.notify_customer(
        customer=world["customer"],
        template="case_received",
        context={"case_number": "CS-2026-000042", "case_type": "Mất điện"},
        dedupe_key="gw:1",
    )
    assert worker.run_once()["failed"] == 1
    n.refresh_from_db()
    first_delay = (n.next_attempt_at - timezone.now()).total_seconds()
    assert n.status == "pending" and "HTTP 503" in n.last_error and 0 < first_delay <= 0.4
    assert worker.run_once() == {"claimed": 0}  # not due yet: backoff is honoured
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())  # now due
    assert worker.run_once()["failed"] == 1
    n.refresh_from_db()
    second_delay = (n.next_attempt_at - timezone.now()).total_seconds()
    assert 0.4 < second_delay <= 0.8  # doubled
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
    assert worker.run_once()["sent"] == 1
    n.refresh_from_db()
    assert n.status == "sent" and n.attempts == 3 and n.provider_message_id == "gw-3"
    assert list(n.delivery_attempts.order_by("number").values_list("number", "outcome")) == [
        (1, "failed"),
        (2, "failed"),
        (3, "sent"),
    ]
    req = gateway.requests[-1]
    assert req["auth"] == "Bearer bi-mat" and req["idempotency_key"] == "gw:1"
    assert req["json"]["to"] == "+84901234567" and req["json"]["channel"] == "sms"
    assert "CS-2026-000042" in req["json"]["text"]
    # same idempotency key on every try, so the gateway can drop a resend
    assert {r["idempotency_key"] for r in gateway.requests} == {"gw:1"}
    assert worker.run_once() == {"claimed": 0} and len(gateway.requests) == 3


def test_gateway_4xx_fails_permanently(world, gateway_settings, gateway):
    gateway.script = [(400, {"error": "invalid phone"})]
    n = notify.notify_customer(
        customer=world["customer"],
        template="case_received",
        context={"case_number": "CS-2026-000043"},
        channel="zalo",
        dedupe_key="gw:2",
    )
    assert worker.run_once()["failed"] == 1
    n.refresh_from_db()
    assert n.status == "failed" and n.attempts == 1 and "HTTP 400" in n.last_error
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert worker.run_once() == {"claimed": 0}  # failed is final (until an explicit retry)
    assert len(gateway.requests) == 1 and gateway.requests[0]["json"]["channel"] == "zalo"
    notify.retry(notification=n)
    assert worker.run_once()["sent"] == 1
    assert len(gateway.requests) == 2


def test_gateway_429_and_network_errors_are_retried(world, gateway_settings, gateway, settings):
    gateway.script = [(429, {"error": "slow down"})]
    n = notify.notify_customer(
        customer=world["customer"],
        template="case_received",
        context={"case_number": "CS-2026-000044"},
        dedupe_key="gw:3",
    )
    worker.run_once()
    n.refresh_from_db()
    assert n.status == "pending"
    from tests.notify.conftest import free_port

    dead = {"BACKEND": "http", "URL": f"http://127.0.0.1:{free_port()}/send", "TIMEOUT": 2}
    settings.CSKH_NOTIFY_BACKENDS = {**settings.CSKH_NOTIFY_BACKENDS, "sms": dead}
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
    worker.run_once()
    n.refresh_from_db()
    assert n.status == "pending" and "unreachable" in n.last_error and n.attempts == 2


def test_attempts_are_capped(db, settings, smtp_settings):
    from tests.notify.conftest import free_port

    settings.CSKH_SMTP = {**settings.CSKH_SMTP, "PORT": free_port(), "TIMEOUT": 1}
    settings.CSKH_NOTIFY_MAX_ATTEMPTS = 2
    [n] = queue_emails(1, prefix="cap")
    worker.run_once()
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
    worker.run_once()
    n.refresh_from_db()
    assert n.status == "failed" and n.attempts == 2
    assert n.delivery_attempts.count() == 2


def test_expired_lease_is_reclaimed_and_recorded_as_lost(db, smtp_settings, smtp_sink):
    rows = queue_emails(3, prefix="lease")
    claimed = worker.claim(worker="dead-host:1", batch=10)
    assert sorted(claimed) == sorted(r.pk for r in rows)
    assert worker.run_once(worker="other:2") == {"claimed": 0}  # leased: nobody else takes them
    Notification.objects.filter(pk__in=claimed).update(next_attempt_at=timezone.now())
    stats = worker.run_once(worker="other:2")
    assert stats["sent"] == 3
    assert sorted(smtp_sink.ids().values()) == [1, 1, 1]
    outcomes = DeliveryAttempt.objects.filter(notification_id=rows[0].pk).order_by("id")
    assert [(a.worker, a.outcome) for a in outcomes] == [
        ("dead-host:1", "lost"),
        ("other:2", "sent"),
    ]
    # the dead worker cannot record an outcome over the new owner's
    worker._finish(
        Notification.objects.get(pk=rows[0].pk),
        worker="dead-host:1",
        started=timezone.now(),
        ok=True,
    )
    assert Notification.objects.get(pk=rows[0].pk).lease_owner == "other:2"


def test_the_django_task_delivers_one_message(db, smtp_settings, smtp_sink):
    from cskh.notify.tasks import deliver_notification, deliver_pending

    rows = queue_emails(3, prefix="task")
    assert deliver_notification.call(rows[0].pk)["sent"] == 1
    assert deliver_notification.call(rows[0].pk) == {"claimed": 0}  # idempotent
    assert deliver_pending.call()["sent"] == 2
    assert len(smtp_sink) == 3


def test_notify_worker_command_drains_the_queue(db, smtp_settings, smtp_sink):
    from io import StringIO

    from django.core.management import call_command

    queue_emails(5, prefix="cmd")
    out = StringIO()
    call_command("notify_worker", "--once", "--batch", "3", stdout=out)
    assert "'sent': 3" in out.getvalue()
    call_command("notify_worker", "--exit-when-idle", "1", "--idle-sleep", "0")
    assert len(smtp_sink) == 5 and Notification.objects.filter(status="sent").count() == 5


def test_lease_is_renewed_at_half_life_and_a_stolen_row_is_not_sent(db, smtp_settings, smtp_sink):
    rows = queue_emails(3, prefix="renew")
    ids = worker.claim(worker="me:1", batch=10)
    lease = worker._Lease("me:1", ids)
    before = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "next_attempt_at"))
    assert lease.ensure(ids[0])  # fresh lease: no query, still ours
    # another worker took one row over after an expiry (e.g. this process was frozen)
    Notification.objects.filter(pk=ids[1]).update(lease_owner="thief:2")
    lease.until = time.monotonic()  # past half-life: the next check renews in the database
    assert lease.ensure(ids[0]) and not lease.ensure(ids[1]) and lease.ensure(ids[2])
    after = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "next_attempt_at"))
    assert after[ids[0]] > before[ids[0]] and after[ids[1]] == before[ids[1]]
    stats = worker.deliver(ids, worker="me:1")
    assert stats == {"sent": 2}  # the stolen row is the thief's to send
    assert {m["to"][0] for m in smtp_sink.messages} == {rows[0].to, rows[2].to}


@pytest.mark.django_db(transaction=True)
def test_outbox_commits_wait_for_the_wal_unless_async_commit_is_chosen(settings):
    """CSKH_NOTIFY_ASYNC_COMMIT trades durability for speed: off unless an operator sets it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")

    def inside() -> str:
        with worker.relaxed_commits(), connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            return cur.fetchone()[0]

    # a server that waits for the WAL, as production's do (the test databases do not:
    # tests/dbtemplate.py), so that only the outbox's own choice can turn it off
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = on")
    try:
        assert settings.CSKH_NOTIFY_ASYNC_COMMIT is False
        assert inside() == "on"
        settings.CSKH_NOTIFY_ASYNC_COMMIT = True
        assert inside() == "off"
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET synchronous_commit")


def test_zalo_sends_the_zns_template_id_and_its_template_data(world, gateway_settings, gateway):
    """ZNS delivers a template registered with Zalo by id, filled with `template_data`; the
    id on the Template row reaches the gateway (#21)."""
    from cskh.notify.models import Template

    Template.objects.filter(code="case_received", channel="zalo").update(zns_template_id="231557")
    notify.clear_template_cache()
    due = timezone.now() + timedelta(hours=2)
    n = notify.notify_customer(
        customer=world["customer"],
        template="case_received",
        context={"case_number": "CS-2026-000044", "case_type": "Mất điện", "due_at": due},
        channel="zalo",
        dedupe_key="gw:zns",
    )
    assert worker.run_once()["sent"] == 1
    body = gateway.requests[-1]["json"]
    assert body["channel"] == "zalo" and body["template_id"] == "231557"
    assert body["phone"] == "84901234567"
    assert body["template_data"] == {
        "case_number": "CS-2026-000044",
        "case_type": "Mất điện",
        "due_at": timezone.localtime(due).strftime("%H:%M %d/%m/%Y"),
    }
    n.refresh_from_db()
    assert n.zns_template_id == "231557"


def test_sms_carries_no_zns_fields(world, gateway_settings, gateway):
    notify.notify_customer(
        customer=world["customer"],
        template="case_received",
        context={"case_number": "CS-2026-000045", "case_type": "Mất điện"},
        channel="sms",
        dedupe_key="gw:sms",
    )
    assert worker.run_once()["sent"] == 1
    assert "template_id" not in gateway.requests[-1]["json"]


def test_notify_worker_says_it_started(db, settings):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify_worker", exit_when_idle=1, idle_sleep=0.01, stdout=out)
    first = out.getvalue().splitlines()[0]
    assert first.startswith("cskh notify_worker ") and "sms=" in first and "Ctrl+C" in first
