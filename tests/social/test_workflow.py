"""Response workflow (personal data, approval, publish through the page API) and crisis
alerts (threshold against the 4-week baseline, delivery to leads and the on-call list)."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.notify.models import Notification
from cskh.social.models import CrisisAlert, Mention, Reply
from cskh.social.services import crisis, replies


def make(
    n=1,
    *,
    at=None,
    source="facebook_group",
    topic="mat_dien",
    sentiment="negative",
    actionable=True,
    reach=10,
    start=0,
):
    at = at or timezone.now()
    rows = [
        Mention(
            source=source,
            external_id=f"{source}-{start + i}-{at.timestamp()}",
            text=f"Mất điện khu phố {i} từ sáng, điện lực ơi",
            posted_at=at,
            received_at=at,
            sentiment=sentiment,
            actionable=actionable,
            topic=topic,
            reach=reach,
        )
        for i in range(n)
    ]
    return Mention.objects.bulk_create(rows)


@pytest.mark.parametrize(
    "text,kinds",
    [
        ("Anh gọi 0901 234 567 giúp em nhé", ["phone"]),
        ("Mã khách hàng PE01000123456 của anh đã được ghi nhận", ["customer_code"]),
        ("Em đã gửi thợ tới số 12 đường Lê Lợi rồi ạ", ["address"]),
        ("Dạ em xin lỗi anh, anh nhắn tin riêng cho trang giúp em nhé", []),
    ],
)
def test_personal_data_detection(text, kinds):
    assert replies.personal_data_in(text) == kinds


def test_public_reply_with_personal_data_is_refused_private_is_sent(
    world, django_capture_on_commit_callbacks
):
    m = make()[0]
    agent = world["agent"]
    r = replies.draft_reply(mention=m, text="Anh gọi 0901234567 để được hỗ trợ", actor=agent)
    assert r.personal_data == ["phone"]
    with pytest.raises(DomainError) as exc:
        replies.submit_reply(reply=r, actor=agent)
    assert exc.value.code == "personal_data"
    r.refresh_from_db()
    assert r.status == Reply.Status.DRAFT
    p = replies.draft_reply(
        mention=m, text="Anh gọi 0901234567 để được hỗ trợ", private=True, actor=agent
    )
    with django_capture_on_commit_callbacks(execute=True):
        replies.submit_reply(reply=p, actor=agent)
    p.refresh_from_db()
    assert p.status == Reply.Status.PUBLISHED and p.external_id.startswith("log-")
    m.refresh_from_db()
    assert m.status == Mention.Status.ANSWERED and m.first_response_at is not None


def test_high_reach_waits_for_lead_approval(
    world, lead, django_capture_on_commit_callbacks, settings
):
    settings.CSKH_SOCIAL_APPROVAL_REACH = 1000
    m = make(reach=50000)[0]
    r = replies.draft_reply(
        mention=m, text="Dạ điện lực xin lỗi anh chị, đội sửa chữa đang tới ạ", actor=world["agent"]
    )
    r = replies.submit_reply(reply=r, actor=world["agent"])
    assert r.status == Reply.Status.PENDING_APPROVAL
    with pytest.raises(DomainError):
        replies.approve_reply(reply=r, actor=world["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        replies.approve_reply(reply=r, actor=lead)
    r.refresh_from_db()
    assert r.status == Reply.Status.PUBLISHED and r.approved_by_id == lead.pk


def test_http_page_api_against_local_server(
    world, local_http, settings, django_capture_on_commit_callbacks
):
    url, rec = local_http
    settings.CSKH_SOCIAL_PAGE_API = {
        "BACKEND": "http",
        "URL": url + "/v21.0",
        "TOKEN": "page-tok",
        "TIMEOUT": 5,
    }
    rec.responses += [(503, {}, b"busy"), (200, {}, json.dumps({"id": "c-99"}).encode())]
    m = make()[0]
    r = replies.draft_reply(
        mention=m, text="Dạ điện lực đã ghi nhận, đội kỹ thuật đang xử lý ạ", actor=world["agent"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        replies.submit_reply(reply=r, actor=world["agent"])
    r.refresh_from_db()
    assert r.status == Reply.Status.QUEUED and "503" in r.error  # transient: stays queued
    assert replies.deliver(r.pk) == "published"
    r.refresh_from_db()
    assert r.status == Reply.Status.PUBLISHED and r.external_id == "c-99"
    req = rec.requests[-1]
    assert req["path"] == f"/v21.0/{m.external_id}/comments"
    assert req["headers"]["Authorization"] == "Bearer page-tok"
    assert b"message=" in req["body"]
    rec.responses.append((400, {}, b'{"error": "bad"}'))
    r2 = replies.draft_reply(mention=m, text="Dạ em cảm ơn anh ạ", actor=world["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        replies.submit_reply(reply=r2, actor=world["agent"])
    r2.refresh_from_db()
    assert r2.status == Reply.Status.FAILED  # permanent error


def _baseline(now, per_week):
    for k in range(1, 5):
        make(per_week, at=now - timedelta(days=7 * k, minutes=20), start=100 * k)


def test_crisis_fires_above_factor_and_minimum(world, settings, django_capture_on_commit_callbacks):
    settings.CSKH_SOCIAL_ONCALL = ["sms:+84901234567", "email:truongca@example.vn", "bad-entry"]
    now = timezone.now()
    _baseline(now, per_week=3)  # baseline 3 per hour → threshold 9, minimum 10
    make(10, at=now - timedelta(minutes=5), source="facebook_group")
    # the live push goes to Redis or the LiveEvent table depending on REDIS_URL: check the call
    with (
        mock.patch("cskh.social.services.crisis.live.publish") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        alerts = crisis.check(now=now)
    assert len(alerts) == 1
    a = alerts[0]
    assert a.count == 10 and a.baseline == 3.0 and a.topic == "mat_dien"
    assert a.clusters and a.words and any(w == "mat" or w == "dien" for w, _n in a.words)
    sent = Notification.objects.filter(template="social_crisis")
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    publish.assert_called_once()
    channel, payload = publish.call_args.args
    assert channel == "social" and payload["type"] == "social_alert" and payload["count"] == 10
    # once per window
    with django_capture_on_commit_callbacks(execute=True):
        assert crisis.check(now=now + timedelta(minutes=1)) == []
    assert CrisisAlert.objects.count() == 1


def test_crisis_quiet_below_minimum_or_factor(world):
    now = timezone.now()
    make(9, at=now - timedelta(minutes=5))
    assert crisis.check(now=now) == []  # below 10
    _baseline(now, per_week=4)  # baseline 4 → needs more than 12
    make(3, at=now - timedelta(minutes=3), start=50)
    assert crisis.check(now=now) == []  # 12 is not > 3 × 4
    make(1, at=now - timedelta(minutes=2), start=70)
    assert len(crisis.check(now=now)) == 1  # 13 > 12
    # neutral or non-actionable posts never count
    make(30, at=now - timedelta(minutes=1), topic="gia_dien", actionable=False, start=200)
    assert crisis.check(now=now) == []
