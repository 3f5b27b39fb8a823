"""A mention and its customer: confirm a proposed link, open or join the case.

An actionable mention with a confirmed customer opens a case on the ``social`` channel through
``cases.services.open_case`` like any other channel, so its hooks run as usual (SLA clock,
incidents link an outage case to the live incident of its area, notify, search). A copy of a
mention that already has a case joins that case (a note on its timeline) instead.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Channel as CaseChannel
from cskh.catalog import services as catalog_services
from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.customers import selectors as customer_selectors
from cskh.social.models import KnownAuthor, Mention

__all__ = ["open_cases_for", "open_case_for", "confirm_customer", "reject_proposal"]

MIN_TYPE_SCORE = 0.2


def _case_type(mention: Mention):  # type: ignore[no-untyped-def]
    for ct in mention.case_types or []:
        if float(ct.get("score", 0)) >= MIN_TYPE_SCORE:
            try:
                return catalog_services.get_case_type(ct["code"])
            except DomainError:
                continue
    return None


def open_case_for(*, mention: Mention, actor: Actor = None) -> Mention:
    """Open (or join) the case of an actionable mention whose customer is known."""
    if mention.case_id:
        return mention
    if mention.customer_id is None:
        raise DomainError(
            _("Cần xác nhận khách hàng trước khi mở yêu cầu."), code="unknown_customer"
        )
    head = mention.duplicate_of
    if head is not None and head.case is not None:
        case_services.add_note(
            case=head.case,
            body=_("Bài đăng trùng trên mạng xã hội: %(url)s") % {"url": mention.url or "-"},
            actor=actor,
        )
        mention.case = head.case
        mention.save(update_fields=["case"])
        return mention
    case_type = _case_type(mention)
    customer = customer_selectors.get_for_intake(mention.customer_id)
    if case_type is None or customer is None:
        return mention
    case = case_services.open_case(
        customer=customer,
        case_type=case_type,
        description=mention.text[:4000],
        channel=CaseChannel.SOCIAL,
        subject=_("Mạng xã hội: %(author)s") % {"author": mention.author or "-"},
        actor=actor,
        type_confirmed=False,
    )
    mention.case = case
    mention.save(update_fields=["case"])
    return mention


def open_cases_for(mentions: list[Mention]) -> None:
    for m in mentions:
        open_case_for(mention=m)


@transaction.atomic
def confirm_customer(*, mention: Mention, customer_id: int, actor: Actor) -> Mention:
    """An agent confirms who wrote the mention: the author is remembered (their next mentions
    link at once) and an actionable mention opens or joins its case."""
    customer = customer_selectors.get(customer_id)
    if customer is None:
        raise DomainError(_("Không tìm thấy khách hàng."), status=404, code="not_found")
    mention.customer_id = customer.pk
    mention.proposed_customer = None
    mention.proposal_reason = ""
    mention.save(update_fields=["customer", "proposed_customer", "proposal_reason"])
    if mention.author_id:
        KnownAuthor.objects.update_or_create(
            author_id=mention.author_id,
            defaults={
                "customer_id": customer.pk,
                "confirmed_by_id": getattr(actor, "pk", None),
                "confirmed_at": timezone.now(),
            },
        )
    audit.record(
        actor=actor,
        action="social.confirm_customer",
        obj=mention,
        changes={"customer": customer.pk},
    )
    if mention.actionable:
        open_case_for(mention=mention, actor=actor)
    return mention


@transaction.atomic
def reject_proposal(*, mention: Mention, actor: Actor) -> Mention:
    mention.proposed_customer = None
    mention.proposal_reason = ""
    mention.save(update_fields=["proposed_customer", "proposal_reason"])
    audit.record(actor=actor, action="social.reject_proposal", obj=mention, changes={})
    return mention
