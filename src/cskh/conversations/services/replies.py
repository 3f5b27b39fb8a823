"""Outbound: agents' replies, automatic replies, internal notes, assignment and closing.

A reply is a Message plus a row in the notify outbox (dedupe key per message: the outbox
worker retries a failure and never sends a message twice); the channel's gateway adapter
(``cskh.conversations.gateways``) delivers it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.conversations.models import Channel, Conversation, EmailThread, Message
from cskh.conversations.services import clocks, push
from cskh.core import audit, hooks
from cskh.core.errors import DomainError
from cskh.core.text import nfc
from cskh.core.types import Actor
from cskh.notify import services as notify_services
from cskh.notify.services import fmt_time
from cskh.org.models import User

MAX_REPLY = 4000  # Zalo OA text messages are limited to 2000 characters; e-mail longer
NOTIFY_CHANNEL = {
    Channel.ZALO: "zalo_oa",
    Channel.FACEBOOK: "facebook",
    Channel.EMAIL: "email",
    Channel.WEBCHAT: "webchat",
}


def _user(actor: Actor | User) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _clean(text: str, limit: int = MAX_REPLY) -> str:
    text = nfc(text or "").strip()
    if not text:
        raise DomainError(_("Nội dung trả lời đang trống."), code="missing_text")
    if len(text) > limit:
        raise DomainError(
            _("Nội dung quá dài (tối đa %(n)s ký tự).") % {"n": limit}, code="too_long"
        )
    return text


def reply_window_open(conv: Conversation, now: datetime) -> bool:
    """Zalo: free consultation messages only within the window after the user's last message
    (afterwards only ZNS templates); Messenger: the standard 24-hour window."""
    hours = {
        Channel.ZALO: settings.CSKH_ZALO_CONSULT_WINDOW_HOURS,
        Channel.FACEBOOK: settings.CSKH_FACEBOOK_REPLY_WINDOW_HOURS,
    }.get(Channel(conv.channel))
    if hours is None:
        return True
    last = conv.last_inbound_at
    return last is not None and now - last <= timedelta(hours=int(hours))


def _address(conv: Conversation, public: bool) -> str:
    ident = conv.identity
    if conv.channel == Channel.EMAIL:
        return ident.email or ident.external_id
    if conv.channel == Channel.FACEBOOK and conv.external_thread_id.startswith("comment:"):
        comment_id = conv.external_thread_id.split(":", 2)[1]
        return f"comment:{comment_id}" if public else f"private:{comment_id}"
    return ident.external_id


def _queue(conv: Conversation, message: Message, public: bool) -> None:
    subject = ""
    if conv.channel == Channel.EMAIL:
        base = conv.subject or str(_("Phản hồi từ trung tâm CSKH"))
        subject = base if base.lower().startswith("re:") else f"Re: {base}"
        if conv.case_id and conv.case and conv.case.number not in subject:
            subject = f"{subject} [{conv.case.number}]"
    row = notify_services.queue_text(
        channel=NOTIFY_CHANNEL[Channel(conv.channel)],
        to=_address(conv, public),
        body=message.text,
        subject=subject,
        customer=conv.customer,
        case=conv.case,
        dedupe_key=f"conversation-message:{message.pk}",
    )
    message.notification = row
    message.save(update_fields=["notification"])
    if conv.channel == Channel.EMAIL:
        # the customer's answer will name it in In-Reply-To: same thread
        EmailThread.objects.get_or_create(
            message_id=row.message_id, defaults={"conversation": conv}
        )


@transaction.atomic
def send_reply(
    *,
    conversation: Conversation,
    text: str,
    actor: Actor,
    public: bool = False,
    now: datetime | None = None,
) -> Message:
    """An agent's answer through the conversation's own channel. `public`: a Facebook comment
    answered under the post (otherwise moved to a private message)."""
    now = now or timezone.now()
    text = _clean(text)
    conv = (
        Conversation.objects.select_for_update(of=("self",))  # case is an outer join
        .select_related("identity", "case")
        .get(pk=conversation.pk)
    )
    if conv.status == Conversation.Status.CLOSED:
        raise DomainError(_("Hội thoại đã đóng."), status=409, code="closed")
    is_comment = conv.external_thread_id.startswith("comment:")
    if not (is_comment and public) and not reply_window_open(conv, now):
        raise DomainError(
            _(
                "Đã quá thời hạn được phép nhắn tin tư vấn trên kênh này kể từ tin cuối của "
                "khách; chỉ gửi được tin mẫu (ZNS) hoặc liên hệ qua kênh khác."
            ),
            status=409,
            code="window_closed",
        )
    user = _user(actor)
    message = Message.objects.create(
        conversation=conv,
        channel=conv.channel,
        direction=Message.Direction.OUT,
        text=text,
        author=user,
        status=Message.Status.QUEUED,
        public=public and is_comment,
        sent_at=now,
    )
    _queue(conv, message, public and is_comment)
    if conv.first_responded_at is None:
        conv.first_responded_at = now
    conv.waiting_on = Conversation.Waiting.CUSTOMER
    conv.status = Conversation.Status.PENDING
    conv.next_response_due_at = None
    conv.last_message_at = now
    if conv.assignee_id is None and user is not None:
        conv.assignee = user
    conv.save(
        update_fields=[
            "first_responded_at",
            "waiting_on",
            "status",
            "next_response_due_at",
            "last_message_at",
            "assignee",
        ]
    )
    if conv.case_id and conv.case is not None and conv.case.is_open:
        # the case timeline shows the reply; the sla hook records the first response
        case_services.add_note(case=conv.case, body=text, public=True, actor=user)
    conversation.status = conv.status
    hooks.run("conversation_message", message=message, conversation=conv)
    push.publish(conv, message)
    return message


def send_auto_reply(*, conversation: Conversation, at: datetime) -> Message | None:
    """The Vietnamese "we received your message" when a conversation opens: the case number
    when one was opened, and when to expect an answer (out of hours: from the opening time)."""
    conv = conversation
    parts = [str(_("Trung tâm CSKH đã nhận được tin nhắn của quý khách."))]
    if conv.case_id and conv.case is not None:
        parts.append(str(_("Mã yêu cầu: %(n)s.")) % {"n": conv.case.number})
    if not clocks.is_open_at(conv.channel, at):
        parts.append(
            str(_("Hiện ngoài giờ làm việc; tư vấn viên sẽ trả lời từ %(t)s."))
            % {"t": fmt_time(clocks.next_opening(conv.channel, at))}
        )
    if conv.first_response_due_at:
        parts.append(
            str(_("Dự kiến phản hồi trước %(t)s.")) % {"t": fmt_time(conv.first_response_due_at)}
        )
    message = Message.objects.create(
        conversation=conv,
        channel=conv.channel,
        direction=Message.Direction.OUT,
        text=" ".join(parts),
        status=Message.Status.QUEUED,
        data={"auto": True},
        sent_at=at,
    )
    hooks.run("conversation_message", message=message, conversation=conv)
    if not conv.identity_id:
        return message
    _queue(conv, message, public=False)
    return message


@transaction.atomic
def add_note(*, conversation: Conversation, text: str, actor: Actor) -> Message:
    """An internal note: never leaves cskh; on the case timeline as a note."""
    text = _clean(text, limit=settings.CSKH_MAX_TEXT)
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Message.Direction.NOTE,
        text=text,
        author=_user(actor),
        status=Message.Status.NOTE,
        sent_at=timezone.now(),
    )
    if conversation.case_id and conversation.case is not None:
        case_services.add_note(case=conversation.case, body=text, actor=_user(actor))
    push.publish(conversation, message)
    return message


@transaction.atomic
def assign(*, conversation: Conversation, agent: Actor, actor: Actor) -> Conversation:
    before = conversation.assignee_id
    conversation.assignee = _user(agent)
    conversation.save(update_fields=["assignee"])
    audit.record(
        actor=actor,
        action="conversation.assign",
        obj=conversation,
        changes={"assignee": [before, conversation.assignee_id]},
    )
    push.publish(conversation, None)
    return conversation


@transaction.atomic
def close(*, conversation: Conversation, actor: Actor, now: datetime | None = None) -> Conversation:
    """Close the conversation; the next message of the thread opens a new one. Fires
    ``conversation_closed`` (e.g. a satisfaction survey)."""
    conv = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conv.status == Conversation.Status.CLOSED:
        return conv
    conv.status = Conversation.Status.CLOSED
    conv.closed_at = now or timezone.now()
    conv.next_response_due_at = None
    if conv.assignee_id is None and _user(actor) is not None:
        conv.assignee = _user(actor)
    conv.save(update_fields=["status", "closed_at", "next_response_due_at", "assignee"])
    audit.record(actor=actor, action="conversation.close", obj=conv)
    hooks.run(
        "conversation_closed",
        conversation_id=conv.pk,
        customer_id=conv.customer_id,
        channel=conv.channel,
        agent_id=conv.assignee_id,
    )
    conversation.status = conv.status
    conversation.closed_at = conv.closed_at
    push.publish(conv, None)
    return conv
