"""Zalo OA and Facebook webhooks: signatures, store then process, idempotency, fuzzing."""

from __future__ import annotations

import json
import random

import pytest
from django.test import Client

from cskh.conversations.models import ChannelIdentity, Conversation, Message, WebhookEvent
from tests.conversations.conftest import fb_signed, zalo_event, zalo_signed

pytestmark = pytest.mark.django_db(transaction=True)

ZALO = "/api/v1/channels/zalo/webhook"
FB = "/api/v1/channels/facebook/webhook"


def post_zalo(client: Client, event, signature: str | None = None):
    body, sig = zalo_signed(event)
    return client.post(
        ZALO,
        body,
        content_type="application/json",
        headers={"X-ZEvent-Signature": sig if signature is None else signature},
    )


def test_signature_is_zalos_documented_mac():
    import hashlib

    from cskh.conversations.services.webhooks import zalo_signature

    raw = b'{"a":1}'
    expected = "mac=" + hashlib.sha256(b"4321" + raw + b"1700" + b"oa-secret-key").hexdigest()
    assert zalo_signature(app_id="4321", body=raw, timestamp="1700", secret="oa-secret-key") == (
        expected
    )


def test_text_event_is_stored_processed_and_idempotent(world):
    client = Client()
    event = zalo_event(text="0901234567 nhà tôi mất điện", msg_id="zmsg-1")
    first = post_zalo(client, event)
    assert first.status_code == 200 and first.json()["duplicate"] is False
    again = post_zalo(client, event)
    assert again.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert WebhookEvent.objects.get().state == "processed"
    msg = Message.objects.get(direction="in")
    assert msg.text == "0901234567 nhà tôi mất điện"
    assert msg.conversation.customer_id == world["customer"].pk


def test_bad_signature_is_401_and_stores_nothing(world):
    client = Client()
    assert post_zalo(client, zalo_event(), signature="mac=deadbeef").status_code == 401
    assert post_zalo(client, zalo_event(), signature="").status_code == 401
    body, sig = fb_signed({"object": "page", "entry": []})
    bad = client.post(
        FB, body, content_type="application/json", headers={"X-Hub-Signature-256": "sha256=00"}
    )
    assert bad.status_code == 401
    assert WebhookEvent.objects.count() == 0 and Message.objects.count() == 0


def test_zalo_event_kinds(world):
    client = Client()
    image = zalo_event("user_send_image", msg_id="img", text="")
    image["message"]["attachments"] = [
        {"type": "image", "payload": {"url": "https://example.invalid/a.jpg", "thumbnail": ""}}
    ]
    location = zalo_event("user_send_location", msg_id="loc", text="")
    location["message"]["attachments"] = [
        {
            "type": "location",
            "payload": {"coordinates": {"latitude": "10.77", "longitude": "106.7"}},
        }
    ]
    sticker = zalo_event("user_send_sticker", msg_id="st", text="")
    sticker["message"]["attachments"] = [{"type": "sticker", "payload": {"id": "abc", "url": ""}}]
    file = zalo_event("user_send_file", msg_id="f", text="")
    file["message"]["attachments"] = [
        {
            "type": "file",
            "payload": {
                "url": "https://example.invalid/h.pdf",
                "name": "hd.pdf",
                "size": "2048",
                "type": "pdf",
            },
        }
    ]
    info = zalo_event("user_submit_info", info={"name": "Nguyễn Văn An", "phone": "0901234567"})
    follow = zalo_event("follow", follower={"id": "zu-2"})
    unfollow = zalo_event("unfollow", follower={"id": "zu-1001"})
    for event in (image, location, sticker, file, info, follow, unfollow):
        assert post_zalo(client, event).status_code == 200
    kinds = set(Message.objects.filter(direction="in").values_list("kind", flat=True))
    assert kinds == {"image", "location", "sticker", "file", "event"}
    loc = Message.objects.get(kind="location")
    assert loc.data["location"] == {"lat": "10.77", "lng": "106.7"}
    assert Message.objects.get(kind="file").attachments.get().size == 2048
    ident = ChannelIdentity.objects.get(external_id="zu-1001")
    assert ident.customer_id == world["customer"].pk and ident.linked_by == "provider"
    assert ident.followed is False
    assert ChannelIdentity.objects.get(external_id="zu-2").followed is True


def test_fuzzed_payloads_never_500(world):
    client = Client()
    rng = random.Random(14)
    junk = [
        b"",
        b"null",
        b"[]",
        b"{}",
        b"\xff\xfe",
        b'{"event_name": 5}',
        json.dumps({"event_name": "user_send_text", "sender": "x"}).encode(),
        json.dumps({"event_name": "user_send_text", "sender": {"id": 1}, "message": []}).encode(),
        json.dumps({"event_name": "weird_event", "sender": {"id": "a"}}).encode(),
        json.dumps(
            {
                "event_name": "user_send_text",
                "sender": {"id": "a"},
                "message": {"msg_id": "q", "text": ["x"]},
                "timestamp": "abc",
            }
        ).encode(),
    ]
    for _ in range(30):
        junk.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
    for body in junk:
        resp = post_zalo(client, body)
        assert resp.status_code < 500, body
    huge = b'{"x": "' + b"a" * 300_000 + b'"}'
    resp = post_zalo(client, huge)
    assert resp.status_code == 413
    assert not WebhookEvent.objects.filter(body__startswith='{"x"').exists()
    for payload in (
        b"[1,2]",
        b'{"object": "page", "entry": "x"}',
        b'{"object": "page", "entry": [{"messaging": [{"message": {"mid": 5}}]}]}',
        b'{"object": "page", "entry": [{"changes": [{"field": "feed", "value": []}]}]}',
        b'{"object": "user"}',
    ):
        body, sig = fb_signed(payload)
        resp = client.post(
            FB, body, content_type="application/json", headers={"X-Hub-Signature-256": sig}
        )
        assert resp.status_code < 500, payload
    states = set(WebhookEvent.objects.values_list("state", flat=True))
    assert states <= {"unsupported", "processed"}
    assert Conversation.objects.count() <= 1


def test_facebook_handshake(world):
    client = Client()
    ok = client.get(
        FB, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"}
    )
    assert ok.status_code == 200 and ok.content == b"12345"
    bad = client.get(FB, {"hub.mode": "subscribe", "hub.verify_token": "no", "hub.challenge": "1"})
    assert bad.status_code == 403


def fb_message(mid: str, text: str, psid: str = "psid-7"):
    return {
        "object": "page",
        "entry": [
            {
                "id": "page-1",
                "time": 1,
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "page-1"},
                        "timestamp": 1765000000000,
                        "message": {"mid": mid, "text": text},
                    }
                ],
            }
        ],
    }


def test_facebook_message_and_comment(world, settings):
    from cskh.conversations.services import replies
    from cskh.notify.models import Notification

    client = Client()
    for payload in (
        fb_message("mid.1", "Cho hỏi giá cước"),
        fb_message("mid.1", "Cho hỏi giá cước"),  # a retry
        {
            "object": "page",
            "entry": [
                {
                    "id": "page-1",
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "item": "comment",
                                "verb": "add",
                                "comment_id": "c-55",
                                "post_id": "p-1",
                                "from": {"id": "u-77", "name": "Trần Bình"},
                                "message": "Sao khu tôi mất điện?",
                                "created_time": 1765000000,
                            },
                        }
                    ],
                }
            ],
        },
    ):
        body, sig = fb_signed(payload)
        resp = client.post(
            FB, body, content_type="application/json", headers={"X-Hub-Signature-256": sig}
        )
        assert resp.status_code == 200
    assert Message.objects.filter(direction="in").count() == 2
    comment = Conversation.objects.get(external_thread_id__startswith="comment:")
    settings.CSKH_FACEBOOK_REPLY_WINDOW_HOURS = 10**6
    public = replies.send_reply(
        conversation=comment, text="Dạ đang khắc phục", actor=world["agent"], public=True
    )
    private = replies.send_reply(conversation=comment, text="Em nhắn riêng ạ", actor=world["agent"])
    assert public.notification.to == "comment:c-55"
    assert private.notification.to == "private:c-55"
    assert Notification.objects.filter(channel="facebook", to="psid-7").count() == 1  # auto-reply
