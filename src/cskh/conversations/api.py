"""REST API: conversations and their messages (integrators, checks), and the provider
webhooks (Zalo OA, Facebook), which authenticate by signature instead of a token."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from cskh.conversations import selectors
from cskh.conversations.models import Channel, Conversation
from cskh.conversations.services import replies, webhooks
from cskh.core import ratelimit
from cskh.core.errors import DomainError, Forbidden
from cskh.core.schemas import ErrorOut
from cskh.org import permissions

router = Router(tags=["conversations"])
webhook_router = Router(tags=["channels"], auth=None)

MAX_PAGE = 200


class ConversationOut(Schema):
    id: int
    channel: str
    customer_id: int | None
    status: str
    case_number: str | None
    last_message_at: datetime


class ConversationList(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class MessageOut(Schema):
    id: int
    direction: Literal["in", "out", "note"]
    text: str
    sent_at: datetime
    status: str


class MessageList(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class ReplyIn(Schema):
    text: str = Field(..., min_length=1, max_length=replies.MAX_REPLY)


class ListFilters(Schema):
    channel: Literal["zalo", "facebook", "email", "webchat"] | None = None
    status: Literal["open", "pending", "closed"] | None = None
    customer_id: int | None = Field(None, ge=1)
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=MAX_PAGE)


def _check_reader(user: object) -> None:
    if not (permissions.can_work_cases(user) or permissions.is_unit_staff(user)):
        raise Forbidden(_("Bạn không có quyền xem hội thoại."))


def _conv_out(c: Conversation) -> dict[str, object]:
    return {
        "id": c.pk,
        "channel": c.channel,
        "customer_id": c.customer_id,
        "status": c.status,
        "case_number": c.case.number if c.case_id and c.case else None,
        "last_message_at": c.last_message_at,
    }


@router.get("", response=ConversationList, summary="Danh sách hội thoại")
def list_conversations(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, object]:
    user = request.auth  # type: ignore[attr-defined]
    _check_reader(user)
    rows, cursor = selectors.list_conversations(
        user,
        channel=filters.channel,
        status=filters.status,
        customer_id=filters.customer_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_conv_out(c) for c in rows], "next_cursor": cursor}


def _msg_out(m: object) -> dict[str, object]:
    from cskh.conversations.models import Message

    assert isinstance(m, Message)
    return {
        "id": m.pk,
        "direction": m.direction,
        "text": m.text,
        "sent_at": m.sent_at,
        "status": selectors.message_status(m),
    }


@router.get("/{int:conversation_id}/messages", response=MessageList, summary="Tin nhắn")
def list_messages(
    request: HttpRequest,
    conversation_id: int,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> dict[str, object]:
    user = request.auth  # type: ignore[attr-defined]
    _check_reader(user)
    conv = selectors.get_for_user(user, conversation_id)
    rows, next_cursor = selectors.messages(conv, cursor=cursor, limit=limit)
    return {"items": [_msg_out(m) for m in rows], "next_cursor": next_cursor}


@router.post("/{int:conversation_id}/messages", response={201: MessageOut}, summary="Gửi trả lời")
def send_message(request: HttpRequest, conversation_id: int, payload: ReplyIn) -> Status:
    user = request.auth  # type: ignore[attr-defined]
    _check_reader(user)
    conv = selectors.get_for_user(user, conversation_id)
    if not permissions.can_reply_conversation(user, conv):
        raise Forbidden(_("Bạn không được trả lời hội thoại này."))
    message = replies.send_reply(conversation=conv, text=payload.text, actor=user)
    return Status(201, _msg_out(message))


# --------------------------------------------------------------------------- webhooks


def _body(request: HttpRequest) -> bytes:
    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.CSKH_WEBHOOK_MAX_BYTES:
        raise DomainError(_("Dữ liệu gửi lên quá lớn."), status=413, code="too_large")
    body = request.body
    if len(body) > settings.CSKH_WEBHOOK_MAX_BYTES:
        raise DomainError(_("Dữ liệu gửi lên quá lớn."), status=413, code="too_large")
    return body


def _unauthorized() -> DomainError:
    return DomainError(_("Chữ ký không hợp lệ."), status=401, code="bad_signature")


@webhook_router.post(
    "/zalo/webhook",
    summary="Webhook Zalo OA",
    response={200: dict, 401: ErrorOut, 429: ErrorOut},
)
def zalo_webhook(request: HttpRequest) -> dict[str, object]:
    """Verifies X-ZEvent-Signature, stores the event and answers at once; processing runs
    in the background (a retried event is stored once)."""
    ratelimit.hit("webhook", f"zalo:{ratelimit.client_ip(request)}")
    body = _body(request)
    if not webhooks.zalo_verify(body, request.headers.get("X-ZEvent-Signature", "")):
        raise _unauthorized()
    event, created = webhooks.store(channel=Channel.ZALO, body=body)
    return {"ok": True, "duplicate": not created, "state": event.state}


@webhook_router.get(
    "/facebook/webhook", summary="Xác minh webhook Facebook", response={200: str, 403: ErrorOut}
)
def facebook_verify(request: HttpRequest) -> HttpResponse:
    """The hub.verify_token handshake: echo hub.challenge when the token matches."""
    token = settings.CSKH_FACEBOOK_VERIFY_TOKEN
    mode = request.GET.get("hub.mode", "")
    if not token or mode != "subscribe" or request.GET.get("hub.verify_token", "") != token:
        raise DomainError(_("Mã xác minh không đúng."), status=403, code="bad_verify_token")
    return HttpResponse(request.GET.get("hub.challenge", "")[:200], content_type="text/plain")


@webhook_router.post(
    "/facebook/webhook",
    summary="Webhook Facebook",
    response={200: dict, 401: ErrorOut, 429: ErrorOut},
)
def facebook_webhook(request: HttpRequest) -> dict[str, object]:
    ratelimit.hit("webhook", f"facebook:{ratelimit.client_ip(request)}")
    body = _body(request)
    if not webhooks.facebook_verify(body, request.headers.get("X-Hub-Signature-256", "")):
        raise _unauthorized()
    event, created = webhooks.store(channel=Channel.FACEBOOK, body=body)
    return {"ok": True, "duplicate": not created, "state": event.state}
