"""Personal data in the written channels: erasure of one customer and retention purges.
Called by cskh.privacy (the data-protection app above this one) and its nightly job."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cskh.conversations.models import (
    Attachment,
    ChannelIdentity,
    Conversation,
    IdentityProposal,
    Message,
    WebhookEvent,
)

ERASED_TEXT = "[đã xoá theo yêu cầu của khách hàng]"


@transaction.atomic
def anonymise_customer(*, customer_id: int) -> dict[str, int]:
    """The customer's conversations keep their channel, status, times and counts (the inbox
    statistics); message texts, attachments, subjects and the senders' channel identities
    (name, phone, e-mail, provider id) are erased."""
    conv_ids = list(
        Conversation.objects.filter(customer_id=customer_id).values_list("id", flat=True)
    )
    identity_ids = list(
        ChannelIdentity.objects.filter(customer_id=customer_id).values_list("id", flat=True)
    ) + list(
        Conversation.objects.filter(id__in=conv_ids)
        .exclude(identity_id=None)
        .values_list("identity_id", flat=True)
    )
    attachments = Attachment.objects.filter(message__conversation_id__in=conv_ids)
    for a in attachments.exclude(file=""):
        a.file.delete(save=False)
    n_attachments = attachments.delete()[0]
    messages = Message.objects.filter(conversation_id__in=conv_ids).update(
        text=ERASED_TEXT, data={}
    )
    Conversation.objects.filter(id__in=conv_ids).update(subject="")
    identities = 0
    for identity in ChannelIdentity.objects.filter(id__in=set(identity_ids)):
        identity.external_id = f"erased:{identity.pk}"
        identity.display_name = ""
        identity.phone = ""
        identity.email = ""
        identity.save(update_fields=["external_id", "display_name", "phone", "email"])
        identities += 1
    IdentityProposal.objects.filter(customer_id=customer_id).update(evidence="")
    return {
        "conversations": len(conv_ids),
        "messages": messages,
        "attachments": n_attachments,
        "identities": identities,
    }


@transaction.atomic
def purge(*, conversations_before: datetime, webhooks_before: datetime) -> dict[str, int]:
    """Retention: closed conversations whose last message is older than the limit go with
    their messages; raw webhook bodies (they hold names, phones, texts) after theirs."""
    old = Conversation.objects.filter(
        status=Conversation.Status.CLOSED, last_message_at__lt=conversations_before
    )
    for a in Attachment.objects.filter(message__conversation__in=old).exclude(file=""):
        a.file.delete(save=False)
    conversations = old.delete()[1].get("conversations.Conversation", 0)
    webhooks = (
        WebhookEvent.objects.filter(received_at__lt=webhooks_before)
        .exclude(state=WebhookEvent.State.RECEIVED)
        .delete()[0]
    )
    return {"conversations": conversations, "webhook_events": webhooks}
