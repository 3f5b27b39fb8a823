"""Webhook intake: verify, store, acknowledge; then process in the background.

The view verifies the signature and calls ``store`` (one INSERT, idempotent on the provider's
event key), the request returns at once and ``process`` runs as a Django Task after commit.
``process`` turns a stored body into inbound messages through the channel's parser; an event
it does not know, or a body of the wrong shape, is kept as "unsupported" (never an error).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cskh.conversations.models import Channel, ChannelIdentity, Message, WebhookEvent
from cskh.conversations.services import intake
from cskh.conversations.services.intake import Inbound
from cskh.core import hooks

log = logging.getLogger("cskh.conversations.webhooks")

State = WebhookEvent.State


class Unsupported(Exception):
    """The body is not an event we handle (kept as "unsupported")."""


# --------------------------------------------------------------------------- signatures


def zalo_signature(*, app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """Zalo OA: ``mac=`` + hex SHA-256 of app id + raw body + timestamp + OA secret key."""
    raw = app_id.encode() + body + str(timestamp).encode() + secret.encode()
    return "mac=" + hashlib.sha256(raw).hexdigest()


def zalo_verify(body: bytes, header: str) -> bool:
    secret = settings.CSKH_ZALO_OA_SECRET
    if not secret or not header:
        return False
    try:
        payload = json.loads(body)
        timestamp = str(payload.get("timestamp", "")) if isinstance(payload, dict) else ""
    except ValueError:
        return False
    expected = zalo_signature(
        app_id=settings.CSKH_ZALO_APP_ID, body=body, timestamp=timestamp, secret=secret
    )
    return hmac.compare_digest(expected.lower(), header.strip().lower())


def facebook_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def facebook_verify(body: bytes, header: str) -> bool:
    secret = settings.CSKH_FACEBOOK_APP_SECRET
    if not secret or not header:
        return False
    return hmac.compare_digest(facebook_signature(body, secret), header.strip().lower())


# --------------------------------------------------------------------------- intake


def _event_key(channel: str, payload: Any, body: bytes) -> tuple[str, str]:
    """(key, event name): the provider's message id when there is one, else a body digest."""
    name = ""
    key = ""
    if isinstance(payload, dict):
        if channel == Channel.ZALO:
            name = str(payload.get("event_name", ""))[:64]
            message = payload.get("message")
            if isinstance(message, dict) and message.get("msg_id"):
                key = f"msg:{message['msg_id']}"
        elif channel == Channel.FACEBOOK:
            name = str(payload.get("object", ""))[:64]
    if not key:
        key = "sha256:" + hashlib.sha256(body).hexdigest()
    return key[:255], name


def store(*, channel: str, body: bytes, now: datetime | None = None) -> tuple[WebhookEvent, bool]:
    """Keep the delivery (one INSERT … ON CONFLICT DO NOTHING) and schedule its processing
    after commit. Returns (row, created); a provider's retry returns the first row."""
    try:
        payload: Any = json.loads(body)
    except ValueError:
        payload = None
    key, name = _event_key(channel, payload, body)
    row = WebhookEvent(
        channel=channel,
        event_key=key,
        event_name=name,
        body=body.decode("utf-8", "replace"),
        received_at=now or timezone.now(),
        state=State.RECEIVED if payload is not None else State.UNSUPPORTED,
        error="" if payload is not None else "not JSON",
    )
    with transaction.atomic():
        WebhookEvent.objects.bulk_create([row], ignore_conflicts=True)
        stored = WebhookEvent.objects.get(channel=channel, event_key=key)
        created = stored.received_at == row.received_at
        if created and stored.state == State.RECEIVED:
            transaction.on_commit(lambda: _enqueue(stored.pk))
    return stored, created


def _enqueue(event_id: int) -> None:
    from cskh.conversations.tasks import process_webhook

    try:
        process_webhook.enqueue(event_id)
    except Exception:  # the periodic sweep (process_pending) picks it up
        log.exception("could not enqueue webhook event %s", event_id)


def process(event_id: int) -> str:
    """Process one stored event once (a second call finds it processed)."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.state != State.RECEIVED:
            return event.state if event else "missing"
        parser = PARSERS[Channel(event.channel)]
        try:
            payload = json.loads(event.body)
            with transaction.atomic():
                for inbound in parser(payload):
                    if isinstance(inbound, Inbound):
                        intake.receive(inbound)
                if event.channel == Channel.FACEBOOK and has_page_feed(payload):
                    # one Facebook app subscription delivers Messenger and the page feed to
                    # this callback: apps above (social listening) take the feed changes
                    hooks.run("facebook_page_feed", payload=payload, event_id=event.pk)
            event.state = State.PROCESSED
        except (Unsupported, ValueError, TypeError, KeyError, AttributeError) as exc:
            event.state = State.UNSUPPORTED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
        except Exception as exc:  # kept for a look and a retry; the intake never 500s
            log.exception("webhook event %s failed", event_id)
            event.state = State.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
        event.processed_at = timezone.now()
        event.save(update_fields=["state", "error", "processed_at"])
        return event.state


def process_pending(limit: int = 500) -> int:
    """Sweep events whose task was lost (periodic job): returns how many were processed."""
    ids = list(
        WebhookEvent.objects.filter(state=State.RECEIVED)
        .order_by("received_at")
        .values_list("id", flat=True)[:limit]
    )
    for pk in ids:
        process(pk)
    return len(ids)


# --------------------------------------------------------------------------- parsers


def _ms(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _s(value: Any, limit: int = 2000) -> str:
    return value[:limit] if isinstance(value, str) else ""


ZALO_KINDS = {
    "user_send_text": Message.Kind.TEXT,
    "user_send_image": Message.Kind.IMAGE,
    "user_send_gif": Message.Kind.IMAGE,
    "user_send_file": Message.Kind.FILE,
    "user_send_location": Message.Kind.LOCATION,
    "user_send_sticker": Message.Kind.STICKER,
    "user_send_link": Message.Kind.TEXT,
    "user_send_audio": Message.Kind.FILE,
    "user_send_video": Message.Kind.FILE,
}


def parse_zalo(payload: Any) -> Iterator[Inbound | None]:
    """Zalo OA webhook events (v3): user messages, follow/unfollow, user-submitted info."""
    if not isinstance(payload, dict):
        raise Unsupported("not an object")
    name = _s(payload.get("event_name"), 64)
    at = _ms(payload.get("timestamp"))
    if name in ("follow", "unfollow"):
        follower = payload.get("follower") or {}
        user_id = _s(follower.get("id") if isinstance(follower, dict) else None, 200)
        if not user_id:
            raise Unsupported("no follower id")
        _set_followed(user_id, name == "follow", at)
        yield None
        return
    sender = payload.get("sender")
    user_id = _s(sender.get("id"), 200) if isinstance(sender, dict) else ""
    if not user_id:
        raise Unsupported("no sender")
    if name == "user_submit_info":
        info = payload.get("info")
        if not isinstance(info, dict):
            raise Unsupported("no info")
        phone = _s(info.get("phone"), 40)
        summary = ", ".join(
            f"{k}: {_s(info.get(k), 200)}" for k in ("name", "phone", "address") if info.get(k)
        )
        yield Inbound(
            channel=Channel.ZALO,
            external_id=user_id,
            provider_message_id=f"info:{user_id}:{payload.get('timestamp', '')}",
            text=summary,
            kind=Message.Kind.EVENT,
            display_name=_s(info.get("name"), 200),
            phone=phone,
            sent_at=at,
            data={"event": name},
        )
        return
    kind = ZALO_KINDS.get(name)
    if kind is None:
        raise Unsupported(f"event {name!r}")
    message = payload.get("message")
    if not isinstance(message, dict) or not message.get("msg_id"):
        raise Unsupported("no message id")
    text = _s(message.get("text"), 20_000)
    attachments: list[dict[str, Any]] = []
    data: dict[str, Any] = {"event": name}
    for att in message.get("attachments") or []:
        if not isinstance(att, dict):
            continue
        p = att.get("payload") if isinstance(att.get("payload"), dict) else {}
        assert isinstance(p, dict)
        if kind == Message.Kind.LOCATION:
            coords = p.get("coordinates") if isinstance(p.get("coordinates"), dict) else {}
            assert isinstance(coords, dict)
            data["location"] = {
                "lat": _s(str(coords.get("latitude", "")), 32),
                "lng": _s(str(coords.get("longitude", "")), 32),
            }
            continue
        attachments.append(
            {
                "kind": _s(att.get("type"), 10) or str(kind),
                "url": _s(p.get("url"), 1000),
                "name": _s(p.get("name"), 255),
                "size": int(p["size"]) if str(p.get("size", "")).isdigit() else 0,
                "content_type": _s(p.get("type"), 100),
            }
        )
        if kind == Message.Kind.STICKER:
            data["sticker"] = _s(p.get("id"), 64)
    yield Inbound(
        channel=Channel.ZALO,
        external_id=user_id,
        provider_message_id=str(message["msg_id"])[:200],
        text=text,
        kind=kind,
        sent_at=at,
        attachments=attachments,
        data=data,
    )


def _set_followed(user_id: str, followed: bool, at: datetime | None) -> None:
    updated = ChannelIdentity.objects.filter(channel=Channel.ZALO, external_id=user_id).update(
        followed=followed
    )
    if not updated and followed:
        ChannelIdentity.objects.get_or_create(
            channel=Channel.ZALO,
            external_id=user_id,
            defaults={"followed": True, "created_at": at or timezone.now()},
        )


def has_page_feed(payload: Any) -> bool:
    """Does a Facebook delivery carry page feed changes (entry[].changes[] with field
    "feed": posts and comments on the page)?"""
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return False
    return any(
        isinstance(change, dict) and change.get("field") == "feed"
        for entry in payload.get("entry") or []
        if isinstance(entry, dict)
        for change in entry.get("changes") or []
    )


def parse_facebook(payload: Any) -> Iterator[Inbound | None]:
    """Messenger page messages (entry[].messaging[]) and page post comments
    (entry[].changes[] with field "feed", item "comment")."""
    if not isinstance(payload, dict) or payload.get("object") != "page":
        raise Unsupported("not a page event")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise Unsupported("no entry")
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        page_id = _s(str(entry.get("id", "")), 64)
        for ev in entry.get("messaging") or []:
            if not isinstance(ev, dict):
                continue
            msg = ev.get("message")
            sender = ev.get("sender")
            if not isinstance(msg, dict) or not isinstance(sender, dict) or msg.get("is_echo"):
                continue
            psid = _s(str(sender.get("id", "")), 200)
            mid = _s(msg.get("mid"), 200)
            if not psid or not mid:
                continue
            attachments = [
                {
                    "kind": _s(a.get("type"), 10),
                    "url": _s((a.get("payload") or {}).get("url"), 1000),
                }
                for a in msg.get("attachments") or []
                if isinstance(a, dict) and isinstance(a.get("payload") or {}, dict)
            ]
            yield Inbound(
                channel=Channel.FACEBOOK,
                external_id=psid,
                provider_message_id=mid,
                text=_s(msg.get("text"), 20_000),
                kind=Message.Kind.TEXT if msg.get("text") else Message.Kind.FILE,
                sent_at=_ms(ev.get("timestamp")),
                attachments=attachments,
                data={"page": page_id},
            )
        for change in entry.get("changes") or []:
            if not isinstance(change, dict) or change.get("field") != "feed":
                continue
            value = change.get("value")
            if not isinstance(value, dict) or value.get("item") != "comment":
                continue
            if value.get("verb") not in (None, "add"):
                continue
            author = value.get("from") if isinstance(value.get("from"), dict) else {}
            assert isinstance(author, dict)
            comment_id = _s(str(value.get("comment_id", "")), 200)
            author_id = _s(str(author.get("id", "")), 200)
            if not comment_id or not author_id or author_id == page_id:
                continue
            yield Inbound(
                channel=Channel.FACEBOOK,
                external_id=author_id,
                provider_message_id=f"comment:{comment_id}",
                thread_id=f"comment:{comment_id}:{author_id}",
                text=_s(value.get("message"), 20_000),
                display_name=_s(author.get("name"), 200),
                subject=_s(value.get("message"), 80),
                sent_at=datetime.fromtimestamp(int(value["created_time"]), tz=UTC)
                if str(value.get("created_time", "")).isdigit()
                else None,
                data={"post": _s(str(value.get("post_id", "")), 200), "comment": comment_id},
            )


PARSERS: dict[Channel, Callable[[Any], Iterator[Inbound | None]]] = {
    Channel.ZALO: parse_zalo,
    Channel.FACEBOOK: parse_facebook,
}
