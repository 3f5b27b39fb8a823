"""Inbound messages: store once, link the sender, understand the text, open or join a case,
set the response clock and answer automatically when a conversation opens."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import selectors as case_selectors
from cskh.cases import services as case_services
from cskh.cases.models import Case, CaseEvent
from cskh.catalog.models import CaseType, Priority
from cskh.catalog.services import get_case_type
from cskh.conversations.models import (
    CASE_CHANNEL,
    Attachment,
    Channel,
    Conversation,
    Message,
)
from cskh.conversations.services import clocks, push
from cskh.conversations.services import identity as identity_services
from cskh.core import hooks
from cskh.core.errors import DomainError
from cskh.core.text import nfc
from cskh.core.types import Actor
from cskh.textintel import services as text_services

log = logging.getLogger("cskh.conversations")

MAX_TEXT = 20_000


@dataclass
class Inbound:
    """One message as a channel adapter parsed it."""

    channel: str
    external_id: str  # the sender on the channel
    provider_message_id: str
    text: str = ""
    kind: str = Message.Kind.TEXT
    thread_id: str = ""  # defaults to the sender (one live conversation per sender)
    display_name: str = ""
    phone: str = ""  # a number the channel vouches for (Zalo user-submitted info)
    email: str = ""
    subject: str = ""
    sent_at: datetime | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    case_number: str = ""  # e-mail: a case named in the subject joins it


@dataclass
class Received:
    message: Message
    created: bool


def _live_conversation(channel: str, thread_id: str) -> Conversation | None:
    return (
        Conversation.objects.select_for_update()
        .filter(channel=channel, external_thread_id=thread_id)
        .exclude(status=Conversation.Status.CLOSED)
        .first()
    )


def _get_or_open_conversation(
    inbound: Inbound, identity_id: int, customer_id: int | None, at: datetime
) -> tuple[Conversation, bool]:
    thread = (inbound.thread_id or inbound.external_id)[:255]
    conv = _live_conversation(inbound.channel, thread)
    if conv is not None:
        return conv, False
    try:
        with transaction.atomic():
            conv = Conversation.objects.create(
                channel=inbound.channel,
                identity_id=identity_id,
                external_thread_id=thread,
                customer_id=customer_id,
                subject=nfc(inbound.subject)[:200],
                first_response_due_at=clocks.first_response_due(channel=inbound.channel, at=at),
                last_message_at=at,
                last_inbound_at=at,
                created_at=at,
            )
            return conv, True
    except IntegrityError:  # opened concurrently by a message of the same thread
        conv = _live_conversation(inbound.channel, thread)
        if conv is None:
            raise
        return conv, False


def receive(inbound: Inbound, *, now: datetime | None = None) -> Received:
    """Store one inbound message, idempotent on (channel, provider message id): a provider's
    retry returns the stored message and changes nothing."""
    if inbound.channel not in Channel.values:
        raise DomainError(_("Kênh không hợp lệ."), code="bad_channel")
    if not inbound.provider_message_id:
        raise DomainError(_("Thiếu mã tin nhắn của nhà cung cấp."), code="missing_message_id")
    key = str(inbound.provider_message_id)[:255]
    existing = Message.objects.filter(channel=inbound.channel, provider_message_id=key).first()
    if existing is not None:
        return Received(existing, False)
    try:
        with transaction.atomic():
            return Received(_receive(inbound, key, now or timezone.now()), True)
    except IntegrityError:
        existing = Message.objects.filter(channel=inbound.channel, provider_message_id=key).first()
        if existing is None:
            raise
        return Received(existing, False)


def _receive(inbound: Inbound, key: str, now: datetime) -> Message:
    at = inbound.sent_at or now
    text = nfc(inbound.text or "").strip()[:MAX_TEXT]
    identity = identity_services.get_or_create_identity(
        channel=inbound.channel,
        external_id=inbound.external_id,
        display_name=inbound.display_name,
        email=inbound.email,
        now=at,
    )
    identity_services.link_from_evidence(
        identity=identity, text=text, phone=inbound.phone, email=inbound.email
    )
    conv, opened = _get_or_open_conversation(inbound, identity.pk, identity.customer_id, at)
    message = Message.objects.create(
        conversation=conv,
        channel=inbound.channel,
        direction=Message.Direction.IN,
        kind=inbound.kind,
        text=text,
        provider_message_id=key,
        status=Message.Status.RECEIVED,
        data=inbound.data,
        sent_at=at,
    )
    for a in inbound.attachments[:20]:
        att = Attachment(
            message=message,
            kind=str(a.get("kind", "file"))[:10],
            name=str(a.get("name", ""))[:255],
            content_type=str(a.get("content_type", ""))[:100],
            size=int(a.get("size") or 0),
            url=str(a.get("url", ""))[:1000],
        )
        content = a.get("content")
        if isinstance(content, bytes):  # e-mail: kept in cskh's storage
            att.file.save(att.name or "tep", ContentFile(content), save=False)
        att.save()
    if opened and inbound.case_number:
        _join_case(conv, inbound.case_number, identity.customer_id)
    update = ["last_message_at", "last_inbound_at", "waiting_on", "status"]
    if not opened:
        conv.last_message_at = max(conv.last_message_at, at)
        conv.last_inbound_at = at
        if conv.waiting_on != Conversation.Waiting.US and conv.first_responded_at:
            # the customer wrote again after our answer: the next response is due
            conv.next_response_due_at = clocks.next_response_due(channel=conv.channel, at=at)
            update.append("next_response_due_at")
    conv.waiting_on = Conversation.Waiting.US
    conv.status = Conversation.Status.OPEN
    if conv.customer_id is None and identity.customer_id is not None:
        conv.customer_id = identity.customer_id
        update.append("customer")
    if text and inbound.kind == Message.Kind.TEXT:
        update += _understand(conv, message, text, at)
    conv.save(update_fields=update)
    if conv.case_id:
        _append_to_case(conv, message)
    elif conv.customer_id and conv.suggested_type:
        _maybe_open_case(conv)
    # listeners (outgoing webhooks): kwargs message, conversation
    hooks.run("conversation_message", message=message, conversation=conv)
    if opened and clocks.channel_config(conv.channel).get("auto_reply"):
        from cskh.conversations.services.replies import send_auto_reply

        send_auto_reply(conversation=conv, at=at)
    push.publish(conv, message)
    return message


def _join_case(conv: Conversation, number: str, customer_id: int | None) -> None:
    """A new conversation naming an existing case (e-mail subject) joins it when the case
    belongs to the sender's customer, or the sender is not known yet."""
    case = case_selectors.get_by_number(number)
    if case is None or (customer_id is not None and case.customer_id != customer_id):
        return
    conv.case = case
    conv.team_id = case.unit_id
    if conv.customer_id is None:
        conv.customer_id = case.customer_id
    conv.save(update_fields=["case", "team", "customer"])


def _understand(conv: Conversation, message: Message, text: str, at: datetime) -> list[str]:
    """textintel on every inbound text: sentiment, complaint, urgency (stored by textintel as
    an InboundAnalysis) and the suggested case type. Never breaks intake."""
    try:
        analysis = text_services.record_analysis(
            text=text, source="conversation", source_id=str(message.pk)
        )
        suggestion = text_services.suggest_case_type(text)
    except DomainError:
        log.exception("text analysis of message %s failed", message.pk)
        return []
    fields = ["sentiment", "complaint", "urgent"]
    conv.sentiment = analysis.sentiment
    conv.complaint = conv.complaint or analysis.complaint
    became_urgent = analysis.urgent and not conv.urgent
    conv.urgent = conv.urgent or analysis.urgent
    if suggestion and (
        not conv.suggested_type
        or float(suggestion["confidence"]) > float(conv.suggested_confidence or 0)
    ):
        conv.suggested_type = str(suggestion["code"])[:32]
        conv.suggested_confidence = float(suggestion["confidence"])
        fields += ["suggested_type", "suggested_confidence"]
    if became_urgent and conv.first_responded_at is None:
        # a hazard written is answered like one phoned in: the urgent first-response target
        due = clocks.first_response_due(channel=conv.channel, at=at, urgent=True)
        if conv.first_response_due_at is None or due < conv.first_response_due_at:
            conv.first_response_due_at = due
            fields.append("first_response_due_at")
    return fields


def _case_type(code: str) -> CaseType | None:
    try:
        return get_case_type(code)
    except DomainError:
        return None


def _maybe_open_case(conv: Conversation) -> None:
    threshold = float(settings.CSKH_CONVERSATION_AUTO_CASE_CONFIDENCE)
    if (conv.suggested_confidence or 0) < threshold:
        return  # below the threshold a person decides (open_case_for_conversation)
    case_type = _case_type(conv.suggested_type)
    if case_type is None:
        return
    open_case_for_conversation(conversation=conv, case_type=case_type, actor=None, auto=True)


def _conversation_text(conv: Conversation) -> str:
    texts = list(
        Message.objects.filter(conversation=conv, direction=Message.Direction.IN)
        .exclude(text="")
        .order_by("id")
        .values_list("text", flat=True)[:20]
    )
    return "\n".join(texts) or conv.subject or str(_("(tin nhắn không có chữ)"))


@transaction.atomic
def open_case_for_conversation(
    *,
    conversation: Conversation,
    case_type: CaseType,
    actor: Actor,
    auto: bool = False,
    description: str = "",
) -> Case:
    """Open a case from the conversation (automatically above the confidence threshold, or by
    an agent): the case's channel is the conversation's, urgent text raises the priority as on
    the phone (textintel's case hook), and the messages so far go to the case timeline."""
    conv = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conv.case_id:
        raise DomainError(_("Hội thoại đã gắn với một yêu cầu."), status=409, code="has_case")
    customer = conv.customer
    if customer is None:
        raise DomainError(
            _("Cần xác định khách hàng trước khi mở yêu cầu."), code="unknown_customer"
        )
    case = case_services.open_case(
        customer=customer,
        case_type=case_type,
        description=(description or _conversation_text(conv))[: settings.CSKH_MAX_TEXT],
        channel=CASE_CHANNEL[Channel(conv.channel)],
        priority=Priority.URGENT if conv.urgent else None,
        subject=conv.subject,
        actor=actor,
        type_confirmed=not auto,
    )
    conv.case = case
    conv.team_id = case.unit_id
    conv.save(update_fields=["case", "team"])
    conversation.case = case
    conversation.team_id = case.unit_id
    msgs = list(Message.objects.filter(conversation=conv).order_by("id"))
    case_services.add_events(
        case=case,
        events=[_case_event(conv, m) for m in msgs],
    )
    push.publish(conv, None)
    return case


def _case_event(conv: Conversation, m: Message) -> dict[str, Any]:
    return {
        "kind": CaseEvent.Kind.INTERACTION,
        "actor": m.author,
        "body": m.text,
        "public": m.direction == Message.Direction.OUT,
        "at": m.sent_at,
        "data": {
            "conversation": conv.pk,
            "message": m.pk,
            "channel": conv.channel,
            "direction": m.direction,
        },
    }


def _append_to_case(conv: Conversation, message: Message) -> None:
    assert conv.case is not None
    case_services.add_events(case=conv.case, events=[_case_event(conv, message)])
