"""Who is writing: channel identities, links to customers and proposals.

A sender is linked automatically only when the evidence points at exactly one customer and the
identity is not linked yet: a phone number the channel itself vouches for (Zalo's
user-submitted info), the e-mail sender address, a Zalo id already on a customer record, or a
phone/e-mail written in the text. Anything else (an identity already linked to someone else, a
number shared by several customers) becomes a proposal an agent confirms with one click: two
customers are never merged or swapped silently.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.conversations.models import (
    ChannelIdentity,
    Conversation,
    IdentityProposal,
)
from cskh.conversations.services import push
from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.phones import try_e164
from cskh.core.types import Actor
from cskh.customers import selectors as customer_selectors
from cskh.customers.models import Customer
from cskh.org.models import User
from cskh.textintel.normalize import extract_phones

LinkedBy = ChannelIdentity.LinkedBy


def get_or_create_identity(
    *,
    channel: str,
    external_id: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    now: datetime | None = None,
) -> ChannelIdentity:
    external_id = str(external_id)[:200]
    if not external_id:
        raise DomainError(_("Thiếu mã người gửi."), code="missing_sender")
    identity = ChannelIdentity.objects.filter(channel=channel, external_id=external_id).first()
    if identity is None:
        try:
            with transaction.atomic():
                identity = ChannelIdentity.objects.create(
                    channel=channel,
                    external_id=external_id,
                    display_name=display_name[:200],
                    phone=(try_e164(phone) or "") if phone else "",
                    email=email[:254],
                    created_at=now or timezone.now(),
                )
        except IntegrityError:  # a concurrent first message of the same sender
            identity = ChannelIdentity.objects.get(channel=channel, external_id=external_id)
    changed = []
    if display_name and display_name[:200] != identity.display_name:
        identity.display_name = display_name[:200]
        changed.append("display_name")
    if email and not identity.email:
        identity.email = email[:254]
        changed.append("email")
    if changed:
        identity.save(update_fields=changed)
    return identity


def _propose(identity: ChannelIdentity, customer: Customer, reason: str, evidence: str) -> None:
    IdentityProposal.objects.get_or_create(
        identity=identity,
        customer=customer,
        defaults={"reason": reason, "evidence": evidence[:254], "created_at": timezone.now()},
    )


def _consider(
    identity: ChannelIdentity, matches: list[Customer], reason: str, evidence: str
) -> None:
    """Link on a single unambiguous match of an unlinked identity; otherwise propose."""
    if not matches:
        return
    if identity.customer_id is None and len(matches) == 1:
        identity.customer = matches[0]
        identity.linked_by = reason
        identity.save(update_fields=["customer", "linked_by"])
        audit.record(
            actor=None,
            action="conversation.identity_link",
            obj=identity,
            changes={"customer": matches[0].pk, "by": reason, "evidence": evidence},
        )
        return
    for customer in matches:
        if customer.pk != identity.customer_id:
            _propose(identity, customer, reason, evidence)


def link_from_evidence(
    *, identity: ChannelIdentity, text: str = "", phone: str = "", email: str = ""
) -> None:
    """Look for the customer behind a message (see the module docstring)."""
    if phone:
        e164 = try_e164(phone)
        if e164:
            if not identity.phone:
                identity.phone = e164
                identity.save(update_fields=["phone"])
            _consider(identity, customer_selectors.find_by_phone(e164), LinkedBy.PROVIDER, e164)
    if identity.customer_id is None and identity.channel == "zalo":
        _consider(
            identity,
            customer_selectors.find_by_zalo_id(identity.external_id),
            LinkedBy.PROVIDER,
            identity.external_id,
        )
    if email:
        _consider(identity, customer_selectors.find_by_email(email), LinkedBy.EMAIL, email)
    if text:
        for e164 in extract_phones(text)[:3]:
            _consider(identity, customer_selectors.find_by_phone(e164), LinkedBy.PHONE, e164)
        for word in text.split():
            word = word.strip(".,;:()<>[]\"'")
            if "@" in word and "." in word.split("@")[-1]:
                _consider(identity, customer_selectors.find_by_email(word), LinkedBy.EMAIL, word)


@transaction.atomic
def confirm_customer(
    *, conversation: Conversation, customer: Customer, actor: Actor
) -> Conversation:
    """The agent's one click: "this is customer X". Links the sender for this and future
    conversations, accepts a matching proposal and rejects the others."""
    identity = ChannelIdentity.objects.select_for_update().get(pk=conversation.identity_id)
    before = identity.customer_id
    identity.customer = customer
    identity.linked_by = LinkedBy.AGENT
    identity.save(update_fields=["customer", "linked_by"])
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    IdentityProposal.objects.filter(identity=identity, state=IdentityProposal.State.OPEN).exclude(
        customer=customer
    ).update(state=IdentityProposal.State.REJECTED, decided_by=user)
    IdentityProposal.objects.filter(identity=identity, customer=customer).update(
        state=IdentityProposal.State.ACCEPTED, decided_by=user
    )
    Conversation.objects.filter(identity=identity).exclude(
        status=Conversation.Status.CLOSED
    ).update(customer=customer)
    conversation.customer = customer
    audit.record(
        actor=actor,
        action="conversation.identity_confirm",
        obj=identity,
        changes={"customer": [before, customer.pk]},
    )
    push.publish(conversation, None)
    return conversation


@transaction.atomic
def reject_proposal(*, proposal: IdentityProposal, actor: Actor) -> None:
    proposal.state = IdentityProposal.State.REJECTED
    proposal.decided_by = actor if isinstance(actor, User) and actor.is_authenticated else None
    proposal.save(update_fields=["state", "decided_by"])
