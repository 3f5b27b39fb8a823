import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.core import audit, hooks
from cskh.core.errors import DomainError
from cskh.core.phones import to_e164
from cskh.core.text import fold, nfc
from cskh.core.types import Actor
from cskh.customers.models import Consent, Customer, Phone, Purpose, ServicePoint
from cskh.org.models import User

CODE_PREFIX = {"electricity": "PE01", "telecom": "TC"}
MAX_NAME = 200


def _new_code(profile_code: str) -> str:
    prefix = CODE_PREFIX.get(profile_code, "KH")
    width = 13 - len(prefix)
    for _attempt in range(20):
        code = prefix + "".join(secrets.choice("0123456789") for _ in range(width))
        if not Customer.objects.filter(code=code).exists():
            return code
    raise DomainError(_("Không tạo được mã khách hàng."), status=503, code="code_exhausted")


def _clean_name(full_name: str) -> str:
    name = " ".join(nfc(full_name or "").split())
    if not name:
        raise DomainError(_("Thiếu họ tên khách hàng."), code="missing_name")
    if len(name) > MAX_NAME:
        raise DomainError(_("Họ tên quá dài (tối đa 200 ký tự)."), code="too_long")
    return name


def _clean_email(email: str) -> str:
    """One address, well formed: "a@x.vn, b@y.vn" would send the customer's messages to a
    second person."""
    value = (email or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError as exc:
        raise DomainError(
            _("Email không hợp lệ (chỉ một địa chỉ, dạng ten@mien.vn)."), code="bad_email"
        ) from exc
    return value


@transaction.atomic
def create_customer(
    *,
    full_name: str,
    phones: Sequence[str] = (),
    email: str = "",
    address: str = "",
    ward_code: int | None = None,
    code: str | None = None,
    segment: str = Customer.Segment.RESIDENTIAL,
    tags: Sequence[str] = (),
    zalo_id: str = "",
    actor: Actor = None,
    **extra: Any,
) -> Customer:
    from cskh.catalog.services import active_profile
    from cskh.geo.address import WardChoiceNeeded
    from cskh.geo.models import Ward
    from cskh.geo.selectors import resolve_address

    name = _clean_name(full_name)
    e164s = list(dict.fromkeys(to_e164(p) for p in phones if str(p).strip()))
    if segment not in Customer.Segment.values:
        raise DomainError(_("Phân khúc không hợp lệ: %(s)s") % {"s": segment}, code="bad_segment")
    bad_tags = set(tags) - set(Customer.Tag.values)
    if bad_tags:
        raise DomainError(
            _("Nhãn không hợp lệ: %(t)s") % {"t": ", ".join(sorted(bad_tags))}, code="bad_tag"
        )
    if len(address or "") > 300:
        raise DomainError(_("Địa chỉ quá dài (tối đa 300 ký tự)."), code="too_long")
    ward = None
    if ward_code:
        ward = Ward.objects.filter(code=ward_code).first()
        if ward is None:
            raise DomainError(
                _("Phường/xã không tồn tại: %(c)s") % {"c": ward_code}, code="bad_ward"
            )
    elif address:
        # Old or new form; a split old ward or a bare "Phường 13" is a choice, not a guess.
        resolution = resolve_address(address)
        if resolution.status == "choice":
            raise WardChoiceNeeded(resolution)
        if resolution.ward_code is not None:
            ward = Ward.objects.filter(code=resolution.ward_code).first()
    if code:
        code = code.strip().upper()
        if Customer.objects.filter(code=code).exists():
            raise DomainError(
                _("Mã khách hàng đã tồn tại: %(c)s") % {"c": code}, status=409, code="duplicate"
            )
    else:
        code = _new_code(active_profile().code)
    customer = Customer.objects.create(
        code=code,
        full_name=name,
        name_folded=fold(name),
        email=_clean_email(email),
        address=nfc(address or "").strip(),
        ward=ward,
        segment=segment,
        tags=list(tags),
        zalo_id=zalo_id,
        **extra,
    )
    Phone.objects.bulk_create(
        [Phone(customer=customer, e164=p, is_primary=i == 0) for i, p in enumerate(e164s)]
    )
    audit.record(
        actor=actor,
        action="customer.create",
        obj=customer,
        changes={"code": code, "phones": len(e164s)},
    )
    hooks.run("customer_changed", customer=customer, actor=actor)
    return customer


UPDATABLE = {
    "full_name",
    "email",
    "address",
    "segment",
    "tags",
    "zalo_id",
    "consent_sms",
    "consent_zalo",
    "consent_email",
    "consent_marketing",
    "preferred_channel",
    "restricted",
}


@transaction.atomic
def update_customer(*, customer: Customer, actor: Actor = None, **changes: Any) -> Customer:
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise DomainError(
            _("Không thể sửa trường: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="bad_field"
        )
    before = {f: getattr(customer, f) for f in changes}
    if "email" in changes:
        changes["email"] = _clean_email(changes["email"])
    if "full_name" in changes:
        changes["full_name"] = _clean_name(changes["full_name"])
        customer.name_folded = fold(changes["full_name"])
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.save()
    audit.record(
        actor=actor,
        action="customer.update",
        obj=customer,
        changes=audit.diff(customer, list(changes), before),
    )
    hooks.run("customer_changed", customer=customer, actor=actor)
    return customer


@transaction.atomic
def add_phone(*, customer: Customer, phone: str, label: str = "", actor: Actor = None) -> Phone:
    e164 = to_e164(phone)
    obj, created = Phone.objects.get_or_create(
        customer=customer, e164=e164, defaults={"label": label}
    )
    if created:
        audit.record(
            actor=actor, action="customer.add_phone", obj=customer, changes={"phone": e164}
        )
        hooks.run("customer_changed", customer=customer, actor=actor)
    return obj


@transaction.atomic
def add_service_point(
    *, customer: Customer, code: str, kind: str, actor: Actor = None, **fields: Any
) -> ServicePoint:
    if ServicePoint.objects.filter(code=code).exists():
        raise DomainError(
            _("Mã điểm dịch vụ đã tồn tại: %(c)s") % {"c": code}, status=409, code="duplicate"
        )
    sp = ServicePoint.objects.create(customer=customer, code=code, kind=kind, **fields)
    audit.record(
        actor=actor,
        action="customer.add_service_point",
        obj=customer,
        changes={"service_point": code},
    )
    hooks.run("customer_changed", customer=customer, actor=actor)
    return sp


# --------------------------------------------------------------------------- personal data


@transaction.atomic
def record_consent(
    *,
    customer: Customer,
    purpose: str,
    granted: bool,
    channel: str,
    actor: Actor = None,
    note: str = "",
    at: datetime | None = None,
) -> Consent:
    """Append a consent answer (given or withdrawn) for one purpose and make it the one in
    force (Customer.consents, read by the outbox without a query)."""
    if purpose not in Purpose.values:
        raise DomainError(_("Mục đích không hợp lệ: %(p)s") % {"p": purpose}, code="bad_purpose")
    if channel not in Consent.Channel.values:
        raise DomainError(
            _("Kênh ghi nhận không hợp lệ: %(c)s") % {"c": channel}, code="bad_channel"
        )
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    row = Consent.objects.create(
        customer=customer,
        purpose=purpose,
        granted=bool(granted),
        channel=channel,
        recorded_at=at or timezone.now(),
        recorded_by=user,
        note=(note or "")[:200],
    )
    current = dict(customer.consents or {})
    current[purpose] = bool(granted)
    customer.consents = current
    fields = ["consents", "updated_at"]
    if purpose == Purpose.MARKETING:  # the older flag says the same thing
        customer.consent_marketing = bool(granted)
        fields.append("consent_marketing")
    customer.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="customer.consent",
        obj=customer,
        changes={"purpose": purpose, "granted": bool(granted), "channel": channel},
    )
    return row


@transaction.atomic
def set_restricted(*, customer: Customer, restricted: bool, actor: Actor = None) -> Customer:
    """Restriction of processing (a data-subject request): while set, only service messages
    are sent and the customer is kept out of surveys, offers and referrals."""
    customer.restricted = bool(restricted)
    customer.save(update_fields=["restricted", "updated_at"])
    audit.record(
        actor=actor, action="customer.restrict", obj=customer, changes={"restricted": restricted}
    )
    return customer


ANONYMOUS_NAME = "Khách hàng đã xoá dữ liệu"


@transaction.atomic
def anonymise_customer(*, customer: Customer, actor: Actor = None) -> dict[str, int]:
    """Erase the person in the customers app: name, e-mail, Zalo id, address, phones are
    removed or replaced; segment, ward (the statistics' area) and service points' codes and
    network position stay (they belong to the contract, not to the person), their addresses
    go. The row itself stays so cases keep their counts. Re-indexed through the
    customer_changed hook, so the search index forgets the person in the same transaction."""
    phones = Phone.objects.filter(customer=customer).delete()[0]
    points = ServicePoint.objects.filter(customer=customer).update(address="")
    customer.full_name = ANONYMOUS_NAME
    customer.name_folded = fold(ANONYMOUS_NAME)
    customer.email = ""
    customer.zalo_id = ""
    customer.address = ""
    customer.tags = []
    customer.consent_sms = customer.consent_zalo = customer.consent_email = False
    customer.consent_marketing = False
    customer.consents = {p: False for p in Purpose.values}
    customer.restricted = True
    customer.anonymised_at = timezone.now()
    customer.save()
    Consent.objects.filter(customer=customer).update(note="")
    audit.record(actor=actor, action="customer.anonymise", obj=customer, changes={"phones": phones})
    hooks.run("customer_changed", customer=customer, actor=actor)
    return {"phones": phones, "service_points": points}
