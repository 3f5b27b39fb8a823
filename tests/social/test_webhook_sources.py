"""Facebook page feed webhook (signature), RSS/Atom conditional GET, vendor import."""

from __future__ import annotations

import hashlib
import hmac
import io
import json

from django.test import Client

from cskh.social.models import Feed, Mention
from cskh.social.services import sources
from tests.social.conftest import FB_SECRET

FB = "/api/v1/social/facebook/webhook"


def feed_payload(
    comment_id="c-1", text="Nhà tôi mất điện từ sáng rồi điện lực ơi 😡", sender="psid-9"
):
    return {
        "object": "page",
        "entry": [
            {
                "id": "page-1",
                "time": 1765000000,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": comment_id,
                            "post_id": "page-1_p-1",
                            "parent_id": "page-1_p-1",
                            "from": {"id": sender, "name": "Khách Facebook"},
                            "message": text,
                            "created_time": 1765000000,
                        },
                    },
                    {  # the page's own reply is not a mention
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": "c-own",
                            "from": {"id": "page-1"},
                            "message": "Dạ em chào anh",
                        },
                    },
                ],
            }
        ],
    }


def signed(payload) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, "sha256=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_signed_feed_comment_becomes_mention_once(world):
    c = Client()
    body, sig = signed(feed_payload())
    r = c.post(FB, body, content_type="application/json", headers={"X-Hub-Signature-256": sig})
    assert r.status_code == 200 and r.json()["mentions"] == 1
    c.post(FB, body, content_type="application/json", headers={"X-Hub-Signature-256": sig})
    m = Mention.objects.get()
    assert m.source == "facebook_comment" and m.external_id == "c-1"
    assert m.author_id == "psid-9" and m.parent_external_id == "page-1_p-1"
    assert m.sentiment == "negative" and m.actionable


def test_bad_or_missing_signature_is_401_and_stores_nothing(world):
    c = Client()
    body, sig = signed(feed_payload())
    bad = "sha256=" + "0" * 64
    assert (
        c.post(
            FB, body, content_type="application/json", headers={"X-Hub-Signature-256": bad}
        ).status_code
        == 401
    )
    assert c.post(FB, body, content_type="application/json").status_code == 401
    tampered = body.replace(b"c-1", b"c-2")
    assert (
        c.post(
            FB, tampered, content_type="application/json", headers={"X-Hub-Signature-256": sig}
        ).status_code
        == 401
    )
    assert Mention.objects.count() == 0


MESSENGER = "/api/v1/channels/facebook/webhook"


def test_messenger_webhook_forwards_page_feed_to_social(world, django_capture_on_commit_callbacks):
    """One Facebook app subscription delivers Messenger and the page feed to the Messenger
    callback (conversations): the feed changes reach social through the
    "facebook_page_feed" hook, the signature checked as for any Messenger delivery."""
    from cskh.conversations.models import WebhookEvent

    payload = feed_payload()
    payload["entry"][0]["changes"].append(
        {  # a new post on the page by a visitor
            "field": "feed",
            "value": {
                "item": "post",
                "verb": "add",
                "post_id": "page-1_p-2",
                "from": {"id": "psid-10", "name": "Chị Hoa"},
                "message": "Cột điện trước nhà số 8 bị nghiêng sắp đổ, nguy hiểm lắm",
                "created_time": 1765000100,
            },
        }
    )
    c = Client()
    body, sig = signed(payload)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            MESSENGER, body, content_type="application/json", headers={"X-Hub-Signature-256": sig}
        )
    assert r.status_code == 200, r.content
    assert WebhookEvent.objects.get().state == "processed"
    got = dict(Mention.objects.values_list("external_id", "source"))
    assert got == {"c-1": "facebook_comment", "page-1_p-2": "facebook_page_post"}
    # a provider's retry of the same delivery stores nothing new
    with django_capture_on_commit_callbacks(execute=True):
        c.post(
            MESSENGER, body, content_type="application/json", headers={"X-Hub-Signature-256": sig}
        )
    assert Mention.objects.count() == 2


def test_messenger_webhook_bad_signature_forwards_nothing(
    world, django_capture_on_commit_callbacks
):
    c = Client()
    body, _sig = signed(feed_payload())
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            MESSENGER,
            body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": "sha256=" + "0" * 64},
        )
    assert r.status_code == 401
    assert Mention.objects.count() == 0


def test_messenger_only_delivery_fires_no_feed_hook(world, django_capture_on_commit_callbacks):
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "page-1",
                "messaging": [
                    {
                        "sender": {"id": "psid-9"},
                        "timestamp": 1765000000000,
                        "message": {"mid": "m-1", "text": "Cho em hỏi lịch cắt điện"},
                    }
                ],
            }
        ],
    }
    body, sig = signed(payload)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            MESSENGER, body, content_type="application/json", headers={"X-Hub-Signature-256": sig}
        )
    assert Mention.objects.count() == 0


def test_verify_handshake():
    c = Client()
    ok = c.get(
        FB, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
    )
    assert ok.status_code == 200 and ok.content == b"42"
    assert (
        c.get(
            FB, {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"}
        ).status_code
        == 403
    )


RSS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Forum</title>
<item><title>Mat dien ca khu pho 3 tu sang</title><link>https://forum.example/t/1</link><guid>t-1</guid>
<description>Dien luc oi khu pho 3 mat dien tu sang den gio khong ai sua</description><pubDate>Sun, 06 Dec 2026 07:00:00 GMT</pubDate></item>
<item><title>Hoi cach tra cuu tien dien</title><link>https://forum.example/t/2</link><guid>t-2</guid>
<description>Moi nguoi cho minh hoi cach tra cuu tien dien voi a</description><pubDate>Sun, 06 Dec 2026 07:05:00 GMT</pubDate></item>
</channel></rss>"""


def test_rss_poll_uses_conditional_get(world, local_http):
    url, rec = local_http
    rec.responses.append(
        (200, {"ETag": '"v1"', "Last-Modified": "Sun, 06 Dec 2026 07:10:00 GMT"}, RSS)
    )
    rec.responses.append((304, {}, b""))
    feed = Feed.objects.create(name="Forum", url=url + "/rss", source="forum")
    assert sources.poll_feed(feed) == 2
    feed.refresh_from_db()
    assert feed.etag == '"v1"' and Mention.objects.filter(source="forum").count() == 2
    assert sources.poll_feed(feed) == 0
    second = rec.requests[1]["headers"]
    assert second["If-None-Match"] == '"v1"'
    assert second["If-Modified-Since"] == "Sun, 06 Dec 2026 07:10:00 GMT"
    feed.refresh_from_db()
    assert feed.last_status == "304"
    m = Mention.objects.get(external_id="t-1")
    assert m.actionable and m.url == "https://forum.example/t/1"


ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><id>urn:n:1</id><title>Tram bien ap phat no</title><link href="https://news.example/1"/>
<updated>2026-12-06T07:00:00Z</updated><summary>Nguoi dan hoang so</summary><author><name>PV</name></author></entry></feed>"""


def test_atom_feed_parses():
    items = sources.parse_feed(ATOM)
    assert items[0].external_id == "urn:n:1" and items[0].url == "https://news.example/1"
    assert items[0].author == "PV"


def test_import_jsonl_and_csv(world):
    jl = io.StringIO(
        '{"source": "facebook_group", "external_id": "v-1", "text": "Mất điện từ sáng ở xã Tân Phú", "posted_at": "2026-12-06T07:00:00+07:00", "followers": 10}\n'
        '{"source": "review", "external_id": "v-2", "text": "Tổng đài tư vấn rất nhiệt tình", "posted_at": "2026-12-06T07:01:00+07:00"}\n'
    )
    assert sources.import_export(jl, fmt="jsonl") == {"rows": 2, "new": 2, "duplicates": 0}
    csv_text = io.StringIO(
        "source,external_id,text,posted_at,shares\n"
        "forum,f-1,Hóa đơn tháng này tăng gấp đôi vô lý,2026-12-06T08:00:00+07:00,3\n"
        "forum,v-1-again,x,not-a-date,\n"
    )
    import pytest

    from cskh.core.errors import DomainError

    with pytest.raises(DomainError):
        sources.import_export(csv_text, fmt="csv")
    assert Mention.objects.get(external_id="v-1").followers == 10
