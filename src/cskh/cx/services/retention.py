"""The save desk: customers at risk (by score) or asking to cancel are queued; a seeded
random share goes to the hold-out group, which is never worked, so the desk's uplift is
measured (saved-rate of treated minus that of the hold-out), not assumed."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import Conflict, DomainError
from cskh.core.text import fold
from cskh.core.types import Actor
from cskh.cx.models import ChurnScore, ContractAttributes, RetentionEntry, RetentionOffer

G = RetentionEntry.Group
O = RetentionEntry.Outcome  # noqa: E741

# cancellation or downgrade intent, matched on folded text (no diacritics, lower case)
CANCEL_INTENT = re.compile(
    r"\b(huy (dich vu|hop dong|thue bao|goi|mang|internet|wifi)|cat (hop dong|dich vu|mang)"
    r"|cham dut hop dong|ngung su dung|khong dung nua|chuyen sang (nha mang|mang|viettel|vnpt"
    r"|fpt)|doi nha mang|ha goi|giam goi|thanh ly hop dong)\b"
)


def has_cancel_intent(text: str) -> bool:
    return bool(CANCEL_INTENT.search(fold(text or "")))


def holdout(customer_id: int, *, share: float | None = None, salt: str = "") -> bool:
    """Deterministic random assignment (a hash of the customer id and a salt): the same
    customer lands in the same group whoever queues them, and about `share` are held out."""
    share = settings.CSKH_CX_HOLDOUT_SHARE if share is None else share
    digest = hashlib.sha256(f"cx-holdout:{salt}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


@transaction.atomic
def enqueue(
    *,
    customer_id: int,
    reason: str,
    case_id: int | None = None,
    now: datetime | None = None,
) -> RetentionEntry:
    """Queue a customer (idempotent while an entry is open)."""
    now = now or timezone.now()
    existing = RetentionEntry.objects.filter(customer_id=customer_id, is_open=True).first()
    if existing is not None:
        if case_id and not existing.case_id:
            existing.case_id = case_id
            existing.reason = reason
            existing.save(update_fields=["case", "reason"])
        return existing
    score = ChurnScore.objects.filter(customer_id=customer_id).first()
    # a customer asking to cancel is always worked: hold-out applies to score-based entries
    group = G.HOLDOUT if reason == "score" and holdout(customer_id) else G.TREATMENT
    return RetentionEntry.objects.create(
        customer_id=customer_id,
        group=group,
        reason=reason,
        score=score.score if score else 0.0,
        reasons=score.reasons if score else [],
        case_id=case_id,
        created_at=now,
    )


def _is_cancellation(case: Any) -> bool:
    return case.case_type.code == "cancellation" or has_cancel_intent(case.description)


def on_case_opened(*, case: Any, **_kw: object) -> None:
    """Hook (case_opened): a cancellation call or message goes to the save desk."""
    if _is_cancellation(case):
        enqueue(customer_id=case.customer_id, reason="cancellation", case_id=case.pk)


def on_case_transitioned(**_kw: object) -> None:
    """Hook (case_transitioned): nothing yet; kept so a reopened cancellation can requeue."""


def eligible_offers(entry: RetentionEntry, *, today: Any = None) -> list[RetentionOffer]:
    """Active offers whose rules all hold for this customer."""
    from cskh.customers.models import Customer, ServicePoint

    today = today or timezone.localdate()
    customer = Customer.objects.get(pk=entry.customer_id)
    starts = ServicePoint.objects.filter(customer_id=entry.customer_id).values_list(
        "start_date", flat=True
    )
    first = min((s for s in starts if s), default=None)
    tenure = (today - first).days // 30 if first else 0
    attrs = ContractAttributes.objects.filter(customer_id=entry.customer_id).first()
    contract = attrs.contract_type if attrs else ""
    year_ago = today.replace(year=today.year - 1)
    out = []
    for offer in RetentionOffer.objects.filter(is_active=True).order_by("code"):
        if entry.score < offer.min_score or tenure < offer.min_tenure_months:
            continue
        if offer.contract_types and contract not in offer.contract_types:
            continue
        if offer.segments and customer.segment not in offer.segments:
            continue
        used = RetentionEntry.objects.filter(
            customer_id=entry.customer_id, offer=offer, created_at__date__gte=year_ago
        ).exclude(pk=entry.pk)
        if used.count() >= offer.max_per_customer_year:
            continue
        out.append(offer)
    return out


@transaction.atomic
def record_outcome(
    *,
    entry: RetentionEntry,
    outcome: str,
    offer_code: str = "",
    note: str = "",
    actor: Actor = None,
    now: datetime | None = None,
) -> RetentionEntry:
    now = now or timezone.now()
    e = RetentionEntry.objects.select_for_update().get(pk=entry.pk)
    if outcome not in O.values:
        raise DomainError(_("Kết quả không hợp lệ."), code="bad_outcome")
    if e.group == G.HOLDOUT and actor is not None and outcome != O.LOST:
        raise Conflict(
            _("Khách hàng thuộc nhóm đối chứng: không chăm sóc, chỉ ghi nhận rời bỏ."),
            code="holdout",
        )
    offer = None
    if offer_code:
        offer = next((o for o in eligible_offers(e) if o.code == offer_code), None)
        if offer is None:
            raise DomainError(_("Ưu đãi không áp dụng cho khách hàng này."), code="bad_offer")
    e.outcome = outcome
    e.offer = offer or e.offer
    e.note = note.strip()[:2000]
    e.worked_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
    e.is_open = outcome == O.PENDING
    e.closed_at = None if e.is_open else now
    e.save()
    audit.record(
        actor=actor,
        action="cx.retention.outcome",
        obj=e,
        changes={"outcome": outcome, "offer": offer.code if offer else ""},
    )
    return e


def queue_at_risk(*, threshold: float | None = None, limit: int = 5000) -> int:
    """Queue the highest-risk scored customers not already queued (after each scoring run)."""
    threshold = settings.CSKH_CX_AT_RISK_SCORE if threshold is None else threshold
    queued = set(RetentionEntry.objects.filter(is_open=True).values_list("customer_id", flat=True))
    ids = (
        ChurnScore.objects.filter(score__gte=threshold)
        .order_by("-score")
        .values_list("customer_id", flat=True)[: limit + len(queued)]
    )
    n = 0
    for customer_id in ids:
        if customer_id in queued or n >= limit:
            continue
        enqueue(customer_id=customer_id, reason="score")
        n += 1
    return n
