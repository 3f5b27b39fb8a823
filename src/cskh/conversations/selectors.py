"""Reads: the inbox (keyset pages, per-unit visibility), messages, a customer's history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.conversations.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    EmailThread,
    IdentityProposal,
    Message,
)
from cskh.core.errors import NotFound
from cskh.core.pagination import keyset_page
from cskh.org.selectors import visible_unit_ids

LIST_RELATED = ("identity", "customer", "case", "assignee")
DUE_SOON = timedelta(minutes=30)
NOTIFICATION_STATUS = {
    "pending": "queued",
    "sending": "queued",
    "sent": "sent",
    "failed": "failed",
    "skipped": "failed",
}


def visible(user: Any) -> QuerySet[Conversation]:
    """The center sees every conversation; unit staff only those whose case is with their
    unit (a conversation without a case is the center's)."""
    qs = Conversation.objects.all()
    units = visible_unit_ids(user)
    if units is not None:
        qs = qs.filter(case__unit_id__in=units)
    return qs


def get_for_user(user: Any, conversation_id: int) -> Conversation:
    conv = (
        visible(user)
        .select_related("identity", "customer", "case", "assignee", "team")
        .filter(pk=conversation_id)
        .first()
    )
    if conv is None:
        raise NotFound(_("Không tìm thấy hội thoại %(id)s.") % {"id": conversation_id})
    return conv


def list_conversations(
    user: Any,
    *,
    channel: str | None = None,
    status: str | None = None,
    customer_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Conversation], str | None]:
    """The API list: newest first (keyset on id)."""
    qs = visible(user).select_related("case")
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-id",))


def inbox(
    user: Any,
    *,
    channel: str | None = None,
    team_id: int | None = None,
    mine: bool = False,
    waiting: str | None = None,
    due_soon: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[list[Conversation], str | None]:
    """The agents' inbox: open and pending conversations, latest activity first; filters
    channel, team, mine, waiting for us / for the customer, due soon."""
    now = now or timezone.now()
    qs = visible(user).select_related(*LIST_RELATED)
    qs = qs.exclude(status=Conversation.Status.CLOSED)  # the partial conv_live_* indexes
    if channel:
        qs = qs.filter(channel=channel)
    if team_id:  # the unit handling its case, or an agent of that unit holding it
        qs = qs.filter(Q(team_id=team_id) | Q(assignee__unit_id=team_id))
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    if waiting in (Conversation.Waiting.US, Conversation.Waiting.CUSTOMER):
        qs = qs.filter(waiting_on=waiting)
    if due_soon:
        soon = now + DUE_SOON
        qs = qs.filter(waiting_on=Conversation.Waiting.US).filter(
            Q(first_responded_at__isnull=True, first_response_due_at__lte=soon)
            | Q(next_response_due_at__lte=soon)
        )
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-last_message_at", "-id"))


def message_status(m: Message) -> str:
    if m.notification_id and m.notification is not None:
        return NOTIFICATION_STATUS.get(m.notification.status, m.status)
    return str(m.status)


def messages(
    conversation: Conversation, *, cursor: str | None = None, limit: int = 50
) -> tuple[list[Message], str | None]:
    """Newest first, with delivery status from the outbox row."""
    qs = Message.objects.filter(conversation=conversation).select_related("notification", "author")
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-id",))


def thread(conversation: Conversation, *, limit: int = 200) -> list[Message]:
    """The last `limit` messages in reading order, with attachments (the inbox pane)."""
    rows = list(
        Message.objects.filter(conversation=conversation)
        .select_related("notification", "author")
        .prefetch_related("attachments")
        .order_by("-id")[:limit]
    )
    rows.reverse()
    return rows


def messages_after(conversation: Conversation, after_id: int) -> list[Message]:
    """Web chat widget: the visitor's view (no internal notes)."""
    return list(
        Message.objects.filter(conversation=conversation, id__gt=after_id)
        .exclude(direction=Message.Direction.NOTE)
        .order_by("id")[:100]
    )


def open_proposals(conversation: Conversation) -> list[IdentityProposal]:
    return list(
        IdentityProposal.objects.filter(
            identity_id=conversation.identity_id, state=IdentityProposal.State.OPEN
        ).select_related("customer")[:5]
    )


def customer_history(customer_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """Every channel's conversations of a customer for the customer card, newest first:
    {"id", "channel", "channel_label", "status", "case_number", "last_message_at", "preview"}."""
    convs = list(
        Conversation.objects.filter(customer_id=customer_id)
        .select_related("case")
        .order_by("-id")[:limit]
    )
    last_texts: dict[int, str] = {}
    if convs:
        for conv_id, text in (
            Message.objects.filter(conversation__in=convs, direction=Message.Direction.IN)
            .order_by("conversation_id", "-id")
            .values_list("conversation_id", "text")
        ):
            last_texts.setdefault(conv_id, text)
    return [
        {
            "id": c.pk,
            "channel": c.channel,
            "channel_label": str(Channel(c.channel).label),
            "status": c.status,
            "case_number": c.case.number if c.case_id and c.case else None,
            "last_message_at": c.last_message_at,
            "preview": last_texts.get(c.pk, "")[:120],
        }
        for c in convs
    ]


def email_thread_for_notification(notification_id: int) -> dict[str, Any] | None:
    """Threading headers of an e-mail reply queued as this outbox row, or None."""
    msg = (
        Message.objects.filter(notification_id=notification_id, channel=Channel.EMAIL)
        .select_related("conversation")
        .first()
    )
    if msg is None:
        return None
    ids = list(
        EmailThread.objects.filter(conversation_id=msg.conversation_id)
        .order_by("id")
        .values_list("message_id", flat=True)
    )
    last_in = (
        Message.objects.filter(conversation_id=msg.conversation_id, direction=Message.Direction.IN)
        .exclude(provider_message_id="")
        .order_by("-id")
        .values_list("provider_message_id", flat=True)
        .first()
    )
    return {"in_reply_to": last_in or "", "references": ids[-20:]}


def export_for_customer(customer_id: int) -> dict[str, Any]:
    """The customer's written conversations with every message, and the channel identities
    linked to them (data-subject access request)."""
    convs = Conversation.objects.filter(customer_id=customer_id).order_by("id")
    msgs: dict[int, list[dict[str, Any]]] = {}
    for m in Message.objects.filter(conversation__customer_id=customer_id).order_by(
        "conversation_id", "sent_at", "id"
    ):
        msgs.setdefault(m.conversation_id, []).append(
            {
                "direction": m.direction,
                "kind": m.kind,
                "text": m.text,
                "sent_at": m.sent_at.isoformat(),
            }
        )
    return {
        "channel_identities": [
            {
                "channel": i.channel,
                "external_id": i.external_id,
                "display_name": i.display_name,
                "phone": i.phone,
                "email": i.email,
            }
            for i in ChannelIdentity.objects.filter(customer_id=customer_id).order_by("id")
        ],
        "conversations": [
            {
                "channel": c.channel,
                "status": c.status,
                "subject": c.subject,
                "created_at": c.created_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                "messages": msgs.get(c.pk, []),
            }
            for c in convs
        ],
    }


def linked_customers(channel: str, external_ids: list[str]) -> dict[str, int]:
    """{external id: customer id} of the identities on a channel already linked to a customer
    (social listening reads it: a known Facebook id links a public comment to its customer)."""
    if not external_ids:
        return {}
    rows = ChannelIdentity.objects.filter(
        channel=channel, external_id__in=external_ids, customer__isnull=False
    ).values_list("external_id", "customer_id")
    return {ext: cid for ext, cid in rows}
