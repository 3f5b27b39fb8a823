"""Referrals: promoters get a personal code; a prospect's request carries it; rewards are
earned once the referred contract has been active CSKH_CX_REFERRAL_ACTIVE_DAYS days, then
approved and paid (append-only ledger). Every decision, accepted or refused, is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import Conflict, DomainError, NotFound
from cskh.core.phones import try_e164
from cskh.core.text import fold, nfc
from cskh.core.types import Actor
from cskh.cx.models import ContractAttributes, Referral, ReferralCode, RewardEntry, Survey
from cskh.org.models import User

R = Referral.Status
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
SOURCES = frozenset({"sms", "zalo", "email", "web", "counter", "agent"})
REJECT_TEXT = {
    "self_phone": _("Người được giới thiệu trùng số điện thoại với người giới thiệu."),
    "self_address": _("Người được giới thiệu trùng địa chỉ với người giới thiệu."),
    "self_id": _("Người được giới thiệu trùng số giấy tờ tùy thân với người giới thiệu."),
    "cap": _("Người giới thiệu đã đạt số lượt giới thiệu tối đa trong tháng."),
    "duplicate": _("Số điện thoại này đã được giới thiệu trước đó."),
}


def id_hash(national_id: str) -> str:
    """National ids are kept only as a keyed hash: enough to compare, nothing to leak."""
    digits = "".join(ch for ch in (national_id or "") if ch.isalnum()).upper()
    if not digits:
        return ""
    key = settings.SECRET_KEY.encode()
    return hashlib.blake2b(digits.encode(), key=key[:64], digest_size=32).hexdigest()


def is_promoter(customer_id: int, *, now: datetime | None = None) -> bool:
    """NPS 9–10 in the last year, or CSAT 5 on at least two touchpoints."""
    now = now or timezone.now()
    answers = Survey.objects.filter(
        customer_id=customer_id,
        status=Survey.Status.ANSWERED,
        answered_at__gte=now - timedelta(days=365),
    )
    if answers.filter(kind=Survey.Kind.NPS, score__gte=9).exists():
        return True
    fives = answers.filter(kind=Survey.Kind.CSAT, score=5).values_list("touchpoint", flat=True)
    return len(set(fives)) >= 2


def _new_code() -> str:
    return "GT" + "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))


@transaction.atomic
def issue_code(*, customer_id: int, now: datetime | None = None, send: bool = True) -> ReferralCode:
    """The customer's code (created once); the first time, a message with the link."""
    now = now or timezone.now()
    existing = ReferralCode.objects.filter(customer_id=customer_id).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        code = _new_code()
        if not ReferralCode.objects.filter(code=code).exists():
            break
    row = ReferralCode.objects.create(customer_id=customer_id, code=code, created_at=now)
    if send:
        from cskh.customers.models import Customer
        from cskh.notify.services import notify_customer

        customer = Customer.objects.prefetch_related("phones").get(pk=customer_id)
        notify_customer(
            customer=customer,
            template="cx_referral",
            context={
                "code": row.code,
                "link": referral_link(row.code),
                "reward": f"{settings.CSKH_CX_REFERRAL_REWARD_VND:,}".replace(",", "."),
            },
            dedupe_key=f"cx:referral:{customer_id}",
        )
    return row


def referral_link(code: str) -> str:
    return f"{settings.CSKH_CX_PUBLIC_URL.rstrip('/')}/gioi-thieu/{code}"


def maybe_issue_after_answer(survey: Survey, *, now: datetime | None = None) -> ReferralCode | None:
    if survey.score is None:
        return None
    if survey.kind == Survey.Kind.NPS and survey.score < 9:
        return None
    if survey.kind == Survey.Kind.CSAT and survey.score < 5:
        return None
    if not is_promoter(survey.customer_id, now=now):
        return None
    return issue_code(customer_id=survey.customer_id, now=now)


def abuse_reason(
    *, referrer_id: int, phone: str, address: str, national_id_hash: str, now: datetime
) -> str:
    """The first guard the prospect fails, or ""."""
    from cskh.customers.models import Customer, Phone

    own_phones = set(Phone.objects.filter(customer_id=referrer_id).values_list("e164", flat=True))
    if phone in own_phones:
        return "self_phone"
    referrer = Customer.objects.get(pk=referrer_id)
    if address and referrer.address and fold(address) == fold(referrer.address):
        return "self_address"
    if national_id_hash:
        own = ContractAttributes.objects.filter(customer_id=referrer_id).values_list(
            "national_id_hash", flat=True
        )
        if national_id_hash in set(own):
            return "self_id"
    if Referral.objects.filter(prospect_phone=phone).exclude(status=R.REJECTED).exists():
        return "duplicate"
    local = timezone.localtime(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    used = Referral.objects.filter(referrer_id=referrer_id, created_at__gte=month_start).exclude(
        status=R.REJECTED
    )
    if used.count() >= settings.CSKH_CX_REFERRAL_MONTHLY_CAP:
        return "cap"
    return ""


@transaction.atomic
def submit(
    *,
    code: str,
    prospect_name: str,
    prospect_phone: str,
    prospect_address: str = "",
    national_id: str = "",
    source: str = "web",
    actor: Actor = None,
    now: datetime | None = None,
) -> Referral:
    """A prospect's request carrying a code. A refused one is stored (status rejected, with
    its reason) and audited; the caller shows the reason."""
    now = now or timezone.now()
    row = ReferralCode.objects.select_for_update().filter(code=(code or "").strip().upper()).first()
    if row is None:
        raise NotFound(_("Mã giới thiệu không tồn tại."), code="bad_code")
    phone = try_e164(prospect_phone or "")
    if not phone:
        raise DomainError(_("Số điện thoại không hợp lệ."), code="bad_phone")
    name = nfc(prospect_name or "").strip()[:200]
    if not name:
        raise DomainError(_("Vui lòng nhập họ tên người được giới thiệu."), code="missing_name")
    if source not in SOURCES:
        raise DomainError(_("Nguồn giới thiệu không hợp lệ."), code="bad_source")
    address = nfc(prospect_address or "").strip()[:300]
    nid = id_hash(national_id)
    reason = abuse_reason(
        referrer_id=row.customer_id, phone=phone, address=address, national_id_hash=nid, now=now
    )
    referral = Referral.objects.create(
        code=row,
        referrer_id=row.customer_id,
        source=source,
        prospect_name=name,
        prospect_phone=phone,
        prospect_address=address,
        prospect_id_hash=nid,
        status=R.REJECTED if reason else R.PENDING,
        reject_reason=reason,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action="cx.referral.rejected" if reason else "cx.referral.accepted",
        obj=referral,
        changes={"code": row.code, "reason": reason, "source": source},
    )
    return referral


@transaction.atomic
def convert(
    *, referral: Referral, customer_id: int, active_since: Any, actor: Actor = None
) -> Referral:
    """The prospect signed: link the new customer and the contract's start date."""
    r = Referral.objects.select_for_update().get(pk=referral.pk)
    if r.status != R.PENDING:
        raise Conflict(_("Lượt giới thiệu này không còn chờ ký hợp đồng."), code="state")
    if customer_id == r.referrer_id:
        raise DomainError(REJECT_TEXT["self_id"], code="self_referral")
    r.status = R.CONVERTED
    r.referred_customer_id = customer_id
    r.contract_active_since = active_since
    r.save(update_fields=["status", "referred_customer", "contract_active_since"])
    audit.record(
        actor=actor, action="cx.referral.converted", obj=r, changes={"customer": customer_id}
    )
    return r


def accrue(*, now: datetime | None = None) -> int:
    """Earn the reward of every converted referral whose contract has been active long enough
    and still is (the periodic job)."""
    from cskh.customers.models import ServicePoint

    now = now or timezone.now()
    cutoff = timezone.localdate(now) - timedelta(days=settings.CSKH_CX_REFERRAL_ACTIVE_DAYS)
    due = Referral.objects.filter(status=R.CONVERTED, contract_active_since__lte=cutoff).exclude(
        rewards__kind=RewardEntry.Kind.EARNED
    )
    n = 0
    for r in due.iterator():
        if r.referred_customer_id is None:
            continue
        active = ServicePoint.objects.filter(
            customer_id=r.referred_customer_id, status="active"
        ).exists()
        if not active:
            continue
        _, created = RewardEntry.objects.get_or_create(
            referral=r,
            kind=RewardEntry.Kind.EARNED,
            defaults={"amount": settings.CSKH_CX_REFERRAL_REWARD_VND, "created_at": now},
        )
        n += created
    return n


@transaction.atomic
def advance_reward(*, referral: Referral, to: str, actor: Actor = None) -> RewardEntry:
    """earned → approved → paid; each step once, by a person, audited."""
    order = [RewardEntry.Kind.EARNED, RewardEntry.Kind.APPROVED, RewardEntry.Kind.PAID]
    if to not in (RewardEntry.Kind.APPROVED, RewardEntry.Kind.PAID):
        raise DomainError(_("Bước chi thưởng không hợp lệ."), code="bad_step")
    Referral.objects.select_for_update().get(pk=referral.pk)
    steps = dict(RewardEntry.objects.filter(referral=referral).values_list("kind", "amount"))
    previous = order[order.index(RewardEntry.Kind(to)) - 1]
    if previous not in steps or to in steps:
        raise Conflict(_("Chưa thể chuyển khoản thưởng sang bước này."), code="state")
    entry = RewardEntry.objects.create(
        referral=referral,
        kind=to,
        amount=steps[previous],
        actor=actor if isinstance(actor, User) else None,
        created_at=timezone.now(),
    )
    audit.record(actor=actor, action=f"cx.reward.{to}", obj=entry, changes={"amount": entry.amount})
    return entry
