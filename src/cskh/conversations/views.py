"""The agents' unified inbox (server-rendered, HTMX, live updates over SSE) and the public
web chat endpoints used by the embeddable widget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cskh.catalog.services import get_case_type
from cskh.conversations import selectors
from cskh.conversations.models import Channel, Conversation, Message
from cskh.conversations.services import clocks, identity, intake, presence, push, replies
from cskh.core import live, ratelimit
from cskh.core.errors import DomainError, Forbidden
from cskh.customers import selectors as customer_selectors
from cskh.knowledge import selectors as kb
from cskh.org import permissions

WIDGET_JS = Path(__file__).parent / "static" / "conversations" / "widget.js"


def _inbox_user(request: HttpRequest) -> Any:
    if not permissions.can_use_inbox(request.user):
        raise Forbidden(_("Chỉ nhân viên trung tâm dùng hộp thư hội thoại."))
    return request.user


def _get(user: Any, conversation_id: int) -> Conversation:
    """The conversation, or 404 when it does not exist for this user."""
    try:
        return selectors.get_for_user(user, conversation_id)
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    channel = g.get("channel") if g.get("channel") in Channel.values else None
    return {
        "channel": channel,
        "team_id": _int(g.get("team")),
        "mine": g.get("mine") == "1",
        "waiting": g.get("waiting") if g.get("waiting") in ("us", "customer") else None,
        "due_soon": g.get("due") == "1",
        "cursor": g.get("cursor") or None,
    }


def _error(exc: DomainError) -> HttpResponse:
    return HttpResponse(str(exc.message), status=exc.status)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _inbox_user(request)
    presence.agent_online(user)
    filters = _filters(request)
    try:
        rows, cursor = selectors.inbox(user, **filters)
    except DomainError as exc:
        return _error(exc)
    ctx = {
        "nav": "inbox",
        "rows": rows,
        "next_cursor": cursor,
        "f": filters,
        "channels": Channel.choices,
        "open_id": _int(request.GET.get("c")),
        "now": timezone.now(),
    }
    template = "conversations/_list.html" if request.headers.get("HX-Request") else None
    return render(request, template or "conversations/inbox.html", ctx)


def _pane(request: HttpRequest, conv: Conversation, *, error: str = "") -> HttpResponse:
    user = request.user
    others = presence.viewing(conv, user)
    type_code = conv.case.case_type.code if conv.case_id and conv.case else conv.suggested_type
    ctx = {
        "c": conv,
        "messages": selectors.thread(conv),
        "others": others,
        "proposals": selectors.open_proposals(conv),
        "canned": kb.canned_for(type_code=type_code or "", customer=conv.customer, agent=user),
        "articles": kb.suggested_for(type_code=type_code, limit=4) if type_code else [],
        "window_open": replies.reply_window_open(conv, timezone.now()),
        "is_comment": conv.external_thread_id.startswith("comment:"),
        "types": kb.case_types(),
        "error": error,
        "history": (
            selectors.customer_history(conv.customer_id, limit=6) if conv.customer_id else []
        ),
        "message_status": selectors.message_status,
    }
    return render(request, "conversations/_pane.html", ctx)


@require_GET
def pane(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = _inbox_user(request)
    conv = _get(user, conversation_id)
    return _pane(request, conv)


@require_POST
def heartbeat(request: HttpRequest, conversation_id: int) -> HttpResponse:
    user = _inbox_user(request)
    conv = _get(user, conversation_id)
    others = presence.viewing(conv, user)
    return render(request, "conversations/_viewers.html", {"others": others, "c": conv})


def _act(request: HttpRequest, conversation_id: int, action: Any) -> HttpResponse:
    user = _inbox_user(request)
    conv = _get(user, conversation_id)
    try:
        action(user, conv)
    except DomainError as exc:
        return _pane(request, conv, error=str(exc.message))
    return _pane(request, _get(user, conversation_id))


@require_POST
def reply(request: HttpRequest, conversation_id: int) -> HttpResponse:
    def go(user: Any, conv: Conversation) -> None:
        if not permissions.can_reply_conversation(user, conv):
            raise Forbidden(_("Bạn không được trả lời hội thoại này."))
        replies.send_reply(
            conversation=conv,
            text=request.POST.get("text", ""),
            actor=user,
            public=request.POST.get("public") == "1",
        )

    return _act(request, conversation_id, go)


@require_POST
def note(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        lambda user, conv: replies.add_note(
            conversation=conv, text=request.POST.get("text", ""), actor=user
        ),
    )


@require_POST
def close(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _act(
        request, conversation_id, lambda user, conv: replies.close(conversation=conv, actor=user)
    )


@require_POST
def take(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        lambda user, conv: replies.assign(conversation=conv, agent=user, actor=user),
    )


@require_POST
def link_customer(request: HttpRequest, conversation_id: int) -> HttpResponse:
    def go(user: Any, conv: Conversation) -> None:
        customer = customer_selectors.get(_int(request.POST.get("customer_id")) or 0)
        if customer is None or not permissions.can_view_customer(user, customer):
            raise DomainError(_("Không tìm thấy khách hàng."), status=404)
        identity.confirm_customer(conversation=conv, customer=customer, actor=user)

    return _act(request, conversation_id, go)


@require_POST
def open_case(request: HttpRequest, conversation_id: int) -> HttpResponse:
    def go(user: Any, conv: Conversation) -> None:
        if not permissions.can_work_cases(user):
            raise Forbidden(_("Bạn không được mở yêu cầu."))
        case_type = get_case_type(request.POST.get("type", "") or conv.suggested_type)
        intake.open_case_for_conversation(conversation=conv, case_type=case_type, actor=user)

    return _act(request, conversation_id, go)


@require_GET
def kb_search(request: HttpRequest) -> HttpResponse:
    _inbox_user(request)
    q = request.GET.get("q", "").strip()[:200]
    articles = kb.search(q, limit=6) if len(q) >= 2 else []
    return render(request, "conversations/_kb.html", {"articles": articles})


async def live_stream(request: HttpRequest) -> StreamingHttpResponse | HttpResponse:
    """Server-Sent Events for the inbox page: "inbox" (any conversation changed) and, when a
    conversation is open, its own channel (viewers)."""
    user = await request.auser()
    if not user.is_authenticated or not permissions.can_use_inbox(user):
        return HttpResponse(status=401)
    channels = [push.INBOX]
    conv_id = _int(request.GET.get("c"))
    if conv_id:
        channels.append(push.conversation_channel(conv_id))
    return live.event_stream(request, channels)


# --------------------------------------------------------------------------- web chat

CHAT_SALT = "cskh.webchat.visitor"


def _site(key: str) -> str:
    if key not in settings.CSKH_CHAT_SITES:
        raise DomainError(_("Mã trang web không hợp lệ."), status=403, code="bad_site_key")
    return key


def _visitor(token: str) -> str:
    try:
        value = signing.loads(token, salt=CHAT_SALT, max_age=30 * 24 * 3600)
    except signing.BadSignature as exc:
        raise DomainError(_("Phiên chat không hợp lệ."), status=403, code="bad_token") from exc
    return str(value)


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > 16_384:
        raise DomainError(_("Dữ liệu gửi lên quá lớn."), status=413, code="too_large")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise DomainError(_("Dữ liệu gửi lên không hợp lệ."), code="bad_json") from exc
    if not isinstance(data, dict):
        raise DomainError(_("Dữ liệu gửi lên không hợp lệ."), code="bad_json")
    return data


def _chat_response(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


def _chat_api(fn: Any) -> Any:
    def wrapped(request: HttpRequest) -> JsonResponse:
        if request.method == "OPTIONS":
            return _chat_response({})
        try:
            ratelimit.hit("public", f"chat:{ratelimit.client_ip(request)}", limit=120)
            return _chat_response(fn(request))
        except DomainError as exc:
            return _chat_response({"detail": str(exc.message), "code": exc.code}, exc.status)

    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return login_not_required(csrf_exempt(wrapped))


def _online() -> bool:
    now = timezone.now()
    return presence.agents_online() > 0 and clocks.is_open_at(Channel.WEBCHAT, now)


@_chat_api
def chat_start(request: HttpRequest) -> dict[str, Any]:
    """A visitor opens the widget: a signed visitor token (kept in the visitor's browser)."""
    data = _json_body(request)
    _site(str(data.get("site_key", "")))
    token = str(data.get("token") or "")
    visitor = _visitor(token) if token else get_random_string(24)
    return {
        "token": signing.dumps(visitor, salt=CHAT_SALT),
        "online": _online(),
    }


def _visitor_conversation(visitor: str) -> Conversation | None:
    return (
        Conversation.objects.filter(channel=Channel.WEBCHAT, external_thread_id=visitor)
        .order_by("-id")
        .first()
    )


@_chat_api
def chat_messages(request: HttpRequest) -> dict[str, Any]:
    """GET: the visitor's conversation since `after`; POST: the visitor writes."""
    if request.method == "POST":
        data = _json_body(request)
        _site(str(data.get("site_key", "")))
        visitor = _visitor(str(data.get("token", "")))
        text = str(data.get("text", "")).strip()
        if not text or len(text) > 4000:
            raise DomainError(_("Tin nhắn trống hoặc quá dài."), code="bad_text")
        phone = str(data.get("phone", "")).strip()[:20]
        name = str(data.get("name", "")).strip()[:100]
        client_id = str(data.get("client_id", ""))[:64] or get_random_string(16)
        received = intake.receive(
            intake.Inbound(
                channel=Channel.WEBCHAT,
                external_id=visitor,
                provider_message_id=f"{visitor}:{client_id}",
                text=text,
                phone=phone,
                display_name=name,
                data={"offline": not _online(), "page": str(data.get("page", ""))[:300]},
            )
        )
        return {"id": received.message.pk, "online": _online()}
    visitor = _visitor(request.GET.get("token", ""))
    conv = _visitor_conversation(visitor)
    after = _int(request.GET.get("after")) or 0
    rows = selectors.messages_after(conv, after) if conv else []
    return {
        "online": _online(),
        "items": [
            {
                "id": m.pk,
                "direction": m.direction,
                "text": m.text,
                "sent_at": m.sent_at.isoformat(),
            }
            for m in rows
            if m.direction in (Message.Direction.IN, Message.Direction.OUT)
        ],
    }


@login_not_required
@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    """The embeddable widget (vendored, no third-party code): <script src=".../chat/widget.js"
    data-site-key="…">."""
    response = HttpResponse(WIDGET_JS.read_text(encoding="utf-8"), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_not_required
@require_GET
# The widget styles itself with a <style> element (it must work on sites without our CSS):
# this demo page, standing for a customer's site, allows inline styles; scripts stay 'self'.
@csp_update({"style-src": ["'unsafe-inline'"]})
def chat_demo(request: HttpRequest) -> HttpResponse:
    """A page embedding the widget, as a customer's web site would."""
    key = request.GET.get("site", "demo")
    if key not in settings.CSKH_CHAT_SITES:
        raise Http404
    return render(request, "conversations/chat_demo.html", {"site_key": key})


@require_GET
def customer_history(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Every channel's conversations of a customer: a fragment for the customer card
    (hx-get="/inbox/customers/<id>/history")."""
    user = _inbox_user(request)
    customer = customer_selectors.get(customer_id)
    if customer is None or not permissions.can_view_customer(user, customer):
        raise Http404
    rows = selectors.customer_history(customer_id, limit=20)
    return render(request, "conversations/_history.html", {"history": rows})
