"""Signed deliveries through the outbox to a real HTTP receiver: signature, retries with
back-off, the delivery log, automatic disabling, the SSRF guard at send time."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.cases import services as cases
from cskh.catalog.services import get_case_type
from cskh.notify.models import Notification
from cskh.notify.worker import run_once
from cskh.webhooks import security, services
from cskh.webhooks.models import Attempt, Delivery, Subscription

pytestmark = pytest.mark.django_db


def deliver() -> dict:
    return run_once(worker="test-worker")


def make_sub(url: str, events=("case.opened",), actor=None) -> tuple[Subscription, str]:
    return services.create_subscription(name="CRM", url=url, events=events, actor=actor)


def open_case(world):
    return cases.open_case(
        customer=world["customer"], case_type=get_case_type("outage"), description="Mất điện"
    )


def test_case_opened_is_delivered_signed_with_minimal_personal_data(world, receiver):
    sub, secret = make_sub(receiver.url)
    case = open_case(world)
    stats = deliver()
    assert stats["sent"] >= 1
    [req] = receiver.requests
    headers, raw, payload = req["headers"], req["raw"], req["json"]
    assert security.verify(secret, headers["X-Cskh-Signature"], raw, now=int(time.time()))
    assert not security.verify(
        "whsec_wrong", headers["X-Cskh-Signature"], raw, now=int(time.time())
    )
    assert headers["X-Cskh-Event"] == "case.opened"
    delivery = Delivery.objects.get()
    assert headers["X-Cskh-Delivery"] == str(delivery.uid)
    assert set(payload) == {"id", "event", "created_at", "data"}
    assert payload["event"] == "case.opened"
    assert payload["id"] == str(delivery.event_id)
    data = payload["data"]["case"]
    assert data["number"] == case.number
    assert data["customer_id"] == world["customer"].pk
    text = raw.decode()
    # the phone in any form it could take (a bare "0901" also matches a timestamp's digits)
    for phone in ("0901 234 567", "0901234567", "84901234567", "901 234 567"):
        assert phone not in text
    assert "Nguyễn" not in text
    assert "Mất điện" not in text  # the description stays in cskh
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    [attempt] = Attempt.objects.all()
    assert attempt.ok and attempt.status_code == 200 and attempt.response_excerpt == '{"ok": true}'
    sub.refresh_from_db()
    assert sub.last_success_at is not None and sub.consecutive_failures == 0


def test_nothing_is_sent_when_the_change_rolls_back(world, receiver):
    from django.db import transaction

    make_sub(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        open_case(world)
        raise RuntimeError
    assert (
        Delivery.objects.count() == 0
        and Notification.objects.filter(channel="webhook").count() == 0
    )


def test_a_500_is_retried_with_backoff_and_logged(world, receiver, settings):
    settings.CSKH_NOTIFY_BACKOFF_BASE_SECONDS = 30
    sub, _secret = make_sub(receiver.url)
    receiver.codes = [500, 503]
    open_case(world)
    before = timezone.now()
    deliver()
    row = Notification.objects.get(channel="webhook")
    assert row.status == "pending"
    # back-off: 30 s after the first failure, 60 s after the second
    assert row.next_attempt_at >= before + timedelta(seconds=30)
    assert row.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert deliver() == {"claimed": 0}  # not due yet
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    deliver()
    row.refresh_from_db()
    assert row.next_attempt_at >= before + timedelta(seconds=60)
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    deliver()
    row.refresh_from_db()
    assert row.status == "sent"
    codes = list(Attempt.objects.order_by("number").values_list("status_code", "ok"))
    assert codes == [(500, False), (503, False), (200, True)]
    failed = Attempt.objects.filter(ok=False).first()
    assert failed is not None and len(failed.response_excerpt) == 1024  # truncated
    assert len({r["headers"]["X-Cskh-Delivery"] for r in receiver.requests}) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts == 3
    sub.refresh_from_db()
    assert sub.consecutive_failures == 0


def test_last_attempt_marks_the_delivery_failed(world, receiver, settings):
    settings.CSKH_NOTIFY_MAX_ATTEMPTS = 2
    make_sub(receiver.url)
    receiver.codes = [500, 500]
    open_case(world)
    deliver()
    Notification.objects.filter(channel="webhook").update(next_attempt_at=timezone.now())
    deliver()
    assert Notification.objects.get(channel="webhook").status == "failed"
    assert Delivery.objects.get().status == "failed"


def test_subscription_is_disabled_after_consecutive_failures(world, receiver, settings, manager):
    settings.CSKH_WEBHOOKS_DISABLE_AFTER = 3
    sub, _secret = make_sub(receiver.url, actor=manager)
    receiver.codes = [500] * 10
    for _ in range(3):
        services.ping(subscription=sub)
    deliver()
    sub.refresh_from_db()
    assert not sub.is_active and sub.consecutive_failures == 3
    assert "3" in sub.disabled_reason
    notice = Notification.objects.get(template="webhook_disabled")
    assert notice.to == "quanly@example.vn" and "CRM" in notice.body
    # no more events for it, and waiting deliveries stop without another request
    assert services.subscribers("case.opened") == ()
    open_case(world)
    assert Delivery.objects.count() == 3
    Notification.objects.filter(channel="webhook").update(next_attempt_at=timezone.now())
    sent_before = len(receiver.requests)
    deliver()
    assert len(receiver.requests) == sent_before
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}


def test_rotated_secret_signs_with_both_keys_during_the_overlap(world, receiver):
    sub, old = make_sub(receiver.url)
    sub, new = services.rotate_secret(subscription=sub)
    assert new != old and new.startswith("whsec_")
    services.ping(subscription=sub)
    deliver()
    req = receiver.requests[-1]
    header = req["headers"]["X-Cskh-Signature"]
    assert header.count("v1=") == 2
    now = int(time.time())
    assert security.verify(new, header, req["raw"], now=now)
    assert security.verify(old, header, req["raw"], now=now)
    assert not security.verify(old, header, req["raw"], now=now + 3600)  # too old a timestamp


def test_redelivery_keeps_the_delivery_id(world, receiver):
    sub, _secret = make_sub(receiver.url)
    delivery = services.ping(subscription=sub)
    deliver()
    services.redeliver(delivery=delivery)
    deliver()
    ids = [r["headers"]["X-Cskh-Delivery"] for r in receiver.requests]
    assert ids == [str(delivery.uid)] * 2
    assert receiver.requests[0]["raw"] == receiver.requests[1]["raw"]
    delivery.refresh_from_db()
    assert delivery.redeliveries == 1 and delivery.attempts == 2


def test_private_target_is_refused_at_send_time(world, receiver, settings):
    sub, _secret = make_sub(receiver.url)
    services.ping(subscription=sub)
    settings.CSKH_WEBHOOKS_ALLOW_PRIVATE = False
    deliver()
    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert not attempt.ok and "target refused" in attempt.error


def test_request_goes_to_the_checked_address_with_the_name_as_host(world, receiver):
    """DNS rebinding: the name is resolved once, checked, and that address is the one used;
    the receiver still sees its name in the Host header."""
    port = receiver.server.server_address[1]
    target = security.pinned(f"http://localhost:{port}/hooks?x=1")
    assert target.url in (f"http://127.0.0.1:{port}/hooks?x=1", f"http://[::1]:{port}/hooks?x=1")
    assert target.host == f"localhost:{port}" and target.server_name == "localhost"
    v6 = security.pinned("https://[::1]:8443/h")
    assert (v6.url, v6.host, v6.server_name) == ("https://[::1]:8443/h", "[::1]:8443", "::1")
    sub, _secret = make_sub(f"http://localhost:{port}/hooks")
    services.ping(subscription=sub)
    deliver()
    assert [r["headers"]["Host"] for r in receiver.requests] == [f"localhost:{port}"]
    assert Attempt.objects.get().ok


def test_incident_and_conversation_events(world, receiver, ben_thanh):
    from cskh.conversations.services import intake
    from cskh.conversations.services.intake import Inbound
    from cskh.incidents.services import create_incident, transition

    make_sub(receiver.url, events=("incident.changed", "conversation.message"))
    inc = create_incident(
        kind="unplanned_outage",
        title="Mất điện khu Bến Thành",
        scope={"wards": [ben_thanh.code]},
        status="suspected",
    )
    transition(incident=inc, to="confirmed")
    intake.receive(
        Inbound(
            channel="zalo", external_id="zu-1", provider_message_id="m1", text="Nhà tôi mất điện"
        )
    )
    deliver()
    got = [r["json"] for r in receiver.requests]
    incidents = [p for p in got if p["event"] == "incident.changed"]
    assert [p["data"]["change"]["kind"] for p in incidents][:2] == ["created", "status"]
    status = incidents[1]["data"]
    assert status["change"] == {"kind": "status", "from": "suspected", "to": "confirmed"}
    assert status["incident"]["id"] == inc.pk and status["incident"]["status"] == "confirmed"
    messages = [p for p in got if p["event"] == "conversation.message"]
    assert messages and messages[0]["data"]["message"]["direction"] == "in"
    assert all(
        "mất điện" not in r["raw"].decode().lower()
        for r in receiver.requests
        if r["json"]["event"] == "conversation.message"
    )


def test_purge_keeps_pending_and_recent_deliveries(world, receiver):
    from cskh.webhooks.tasks import purge

    sub, _secret = make_sub(receiver.url)
    old = services.ping(subscription=sub)
    deliver()
    pending = services.ping(subscription=sub)
    Delivery.objects.update(created_at=timezone.now() - timedelta(days=40))
    recent = services.ping(subscription=sub)
    deliver()
    Delivery.objects.filter(pk=pending.pk).update(status="pending")
    assert purge.call() == 1
    assert set(Delivery.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}
    assert not Attempt.objects.filter(delivery_id=old.pk).exists()


def test_metrics_count_subscriptions_and_deliveries(world, receiver):
    from cskh.webhooks.metrics import WebhookCollector

    sub, _secret = make_sub(receiver.url)
    receiver.codes = [500]
    services.ping(subscription=sub)
    deliver()
    got = {
        (m.name, s.labels.get("state") or s.labels.get("status")): s.value
        for m in WebhookCollector().collect()
        for s in m.samples
    }
    assert got[("cskh_webhook_subscriptions", "failing")] == 1
    assert got[("cskh_webhook_deliveries_24h", "pending")] == 1
