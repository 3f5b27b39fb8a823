"""Personal-data rights (Law 91/2025/QH15 and its implementing decree): data-subject requests,
consents, erasure, the read log and retention. The top of the apps: it calls the lower apps'
public services and selectors, each of which owns its part of a customer's data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import selectors as case_selectors
from cskh.cases import services as case_services
from cskh.conversations.services import privacy as conversation_privacy
from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.customers import services as customer_services
from cskh.customers.models import Consent, Customer, Purpose
from cskh.cx.services import privacy as cx_privacy
from cskh.notify import services as notify_services
from cskh.org import permissions
from cskh.org.models import User
from cskh.privacy.models import AccessLog, DataSubjectRequest
from cskh.search import services as search_services
from cskh.telephony.services import privacy as telephony_privacy

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status

# Fields a correction request may change (the customers app validates them).
CORRECTABLE = ("full_name", "email", "address", "zalo_id", "preferred_channel")


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _user_id(actor: Actor) -> int | None:
    user = _user(actor)
    return user.pk if user is not None else None


# --------------------------------------------------------------------------- the read log


def record_access(
    *,
    user: Actor,
    customer_id: int | None,
    action: str,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    """One read of personal data: a single small INSERT (no read, no transaction of its own,
    so it joins the request's). Append-only: nothing updates these rows."""
    AccessLog.objects.create(
        at=at or timezone.now(),
        user_id=_user_id(user),
        customer_id=customer_id,
        action=action,
        detail=(detail or "")[:64],
    )


def record_accesses(
    *, user: Actor, customer_ids: Iterable[int | None], action: str, detail: str = ""
) -> int:
    """Many reads at once (a pick list of customers): one multi-row INSERT."""
    now = timezone.now()
    uid = _user_id(user)
    rows = [
        AccessLog(at=now, user_id=uid, customer_id=cid, action=action, detail=detail[:64])
        for cid in dict.fromkeys(customer_ids)
    ]
    AccessLog.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def on_customer_read(
    *, user: Actor, customer_ids: Iterable[int | None], action: str, detail: str = ""
) -> None:
    """customer_read hook: an API read of customers (detail, phone/code look-up, a customer's
    cases) is logged like the desk's card and search."""
    record_accesses(user=user, customer_ids=customer_ids, action=action, detail=detail)


# --------------------------------------------------------------------------- requests


def due_at_for(kind: str, now: datetime) -> datetime:
    hours = int(settings.CSKH_PRIVACY_REQUEST_HOURS.get(kind, 72))
    return now + timedelta(hours=hours)


@transaction.atomic
def file_request(
    *,
    customer: Customer,
    kind: str,
    channel: str = DataSubjectRequest.Channel.AGENT,
    details: str = "",
    payload: dict[str, Any] | None = None,
    actor: Actor = None,
    now: datetime | None = None,
) -> DataSubjectRequest:
    """A customer's request, filed by an agent on their behalf (or the portal): it gets its
    deadline from settings.CSKH_PRIVACY_REQUEST_HOURS and waits for the officer."""
    if kind not in Kind.values:
        raise DomainError(_("Loại yêu cầu không hợp lệ."), code="bad_kind")
    if channel not in DataSubjectRequest.Channel.values:
        raise DomainError(_("Kênh tiếp nhận không hợp lệ."), code="bad_channel")
    if customer.anonymised_at is not None:
        raise DomainError(_("Dữ liệu của khách hàng này đã được xoá."), status=409, code="erased")
    payload = dict(payload or {})
    if kind == Kind.WITHDRAWAL and payload.get("purpose") not in Purpose.values:
        raise DomainError(_("Chọn mục đích rút lại sự đồng ý."), code="bad_purpose")
    if kind == Kind.CORRECTION:
        unknown = set(payload) - set(CORRECTABLE)
        if unknown or not payload:
            raise DomainError(_("Chọn thông tin cần chỉnh sửa."), code="bad_field")
    now = now or timezone.now()
    req = DataSubjectRequest.objects.create(
        customer=customer,
        kind=kind,
        channel=channel,
        details=(details or "").strip()[:4000],
        payload=payload,
        filed_by=_user(actor),
        created_at=now,
        due_at=due_at_for(kind, now),
    )
    audit.record(
        actor=actor,
        action="privacy.request_filed",
        obj=req,
        changes={"kind": kind, "channel": channel, "customer": customer.pk},
    )
    return req


def _locked(req: DataSubjectRequest) -> DataSubjectRequest:
    req = DataSubjectRequest.objects.select_for_update().get(pk=req.pk)
    if not req.is_open:
        raise DomainError(_("Yêu cầu đã được xử lý xong."), status=409, code="state")
    return req


def _officer(actor: Actor) -> None:
    if actor is not None and not permissions.can_handle_privacy(actor):
        raise DomainError(
            _("Chỉ cán bộ bảo vệ dữ liệu xử lý yêu cầu này."), status=403, code="forbidden"
        )


@transaction.atomic
def take(*, request: DataSubjectRequest, actor: Actor) -> DataSubjectRequest:
    """The officer becomes the request's owner; it is in progress."""
    _officer(actor)
    req = _locked(request)
    req.owner = _user(actor)
    req.status = Status.IN_PROGRESS
    req.save(update_fields=["owner", "status"])
    audit.record(actor=actor, action="privacy.request_taken", obj=req)
    return req


@transaction.atomic
def reject(*, request: DataSubjectRequest, reason: str, actor: Actor) -> DataSubjectRequest:
    _officer(actor)
    req = _locked(request)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Ghi lý do từ chối."), code="missing_reason")
    req.status = Status.REJECTED
    req.outcome = reason[:2000]
    req.closed_at = timezone.now()
    req.save(update_fields=["status", "outcome", "closed_at"])
    audit.record(
        actor=actor, action="privacy.request_rejected", obj=req, changes={"reason": reason}
    )
    return req


@transaction.atomic
def complete(*, request: DataSubjectRequest, actor: Actor, note: str = "") -> DataSubjectRequest:
    """Carry the request out and close it: access — the export was handed over (downloaded
    from the request's page, logged); correction — the fields change; restriction — the
    customer is restricted (or released: payload {"restricted": false}); withdrawal — the
    consent for the purpose is withdrawn; erasure — the person is anonymised everywhere."""
    _officer(actor)
    req = _locked(request)
    customer = Customer.objects.select_for_update().get(pk=req.customer_id)
    result: dict[str, Any] = {}
    if req.kind == Kind.CORRECTION:
        customer_services.update_customer(customer=customer, actor=actor, **req.payload)
        result = {"fields": sorted(req.payload)}
    elif req.kind == Kind.RESTRICTION:
        restricted = bool(req.payload.get("restricted", True))
        customer_services.set_restricted(customer=customer, restricted=restricted, actor=actor)
        result = {"restricted": restricted}
    elif req.kind == Kind.WITHDRAWAL:
        customer_services.record_consent(
            customer=customer,
            purpose=req.payload["purpose"],
            granted=False,
            channel=Consent.Channel.REQUEST,
            actor=actor,
            note=f"DSR #{req.pk}",
        )
        result = {"purpose": req.payload["purpose"]}
    elif req.kind == Kind.ERASURE:
        result = erase_customer(customer=customer, actor=actor)
    req.status = Status.DONE
    req.closed_at = timezone.now()
    req.outcome = (note or "").strip()[:2000]
    if req.owner_id is None:
        req.owner = _user(actor)
    req.save(update_fields=["status", "closed_at", "outcome", "owner"])
    audit.record(actor=actor, action="privacy.request_done", obj=req, changes=result)
    return req


# --------------------------------------------------------------------------- consent


def record_consent(
    *,
    customer: Customer,
    purpose: str,
    granted: bool,
    channel: str,
    actor: Actor = None,
    note: str = "",
) -> Consent:
    """An answer the customer gave (on a call, by SMS, on paper): the customers app keeps it."""
    return customer_services.record_consent(
        customer=customer, purpose=purpose, granted=granted, channel=channel, actor=actor, note=note
    )


# --------------------------------------------------------------------------- erasure


@transaction.atomic
def erase_customer(*, customer: Customer, actor: Actor = None) -> dict[str, Any]:
    """Anonymise the person in every app, in one transaction: telephony (needs the phones,
    read first), cases and interactions, conversations, the outbox, cx, the audit trail's
    recorded values, then the customer row itself (its customer_changed hook re-indexes the
    customer) and the search documents of their cases. Case statistics stay: counts, types,
    units, channels, statuses and times. A ready-made erasure is refused (409)."""
    if customer.anonymised_at is not None:
        raise DomainError(_("Dữ liệu của khách hàng này đã được xoá."), status=409, code="erased")
    phones = [p.e164 for p in customer.phones.all()]
    case_ids = case_selectors.case_ids_of_customer(customer.pk)
    summary: dict[str, Any] = {
        "telephony": telephony_privacy.anonymise_customer(customer_id=customer.pk, phones=phones),
        "cases": case_services.anonymise_customer(customer_id=customer.pk, actor=actor),
        "conversations": conversation_privacy.anonymise_customer(customer_id=customer.pk),
        "notify": notify_services.anonymise_customer(customer_id=customer.pk),
        "cx": cx_privacy.anonymise_customer(customer_id=customer.pk, case_ids=case_ids),
    }
    summary["audit"] = audit.erase_changes(
        object_type="customers.customer", object_ids=[str(customer.pk)]
    ) + audit.erase_changes(object_type="cases.case", object_ids=[str(i) for i in case_ids])
    summary["customers"] = customer_services.anonymise_customer(customer=customer, actor=actor)
    for case in case_selectors.cases_by_ids(case_ids):
        search_services.index_case(case)
    record_access(user=actor, customer_id=customer.pk, action=AccessLog.Action.ERASE)
    audit.record(actor=actor, action="privacy.erased", obj=customer, changes=summary)
    return summary


# --------------------------------------------------------------------------- retention


def purge(*, now: datetime | None = None) -> dict[str, int]:
    """The nightly retention job: every table's limit from settings.CSKH_RETENTION_DAYS.
    ``now`` is injectable (tests, a catch-up run)."""
    now = now or timezone.now()
    days = settings.CSKH_RETENTION_DAYS

    def before(key: str) -> datetime:
        return now - timedelta(days=int(days[key]))

    done: dict[str, int] = {
        "recording_links": case_services.purge_recording_links(before=before("recording_links"))
    }
    done.update(
        conversation_privacy.purge(
            conversations_before=before("conversations"),
            webhooks_before=before("webhook_events"),
        )
    )
    done["outbox"] = notify_services.purge(before=before("outbox"))
    done["audit_log"] = audit.purge(before=before("audit_log"))
    done["access_log"] = AccessLog.objects.filter(at__lt=before("access_log")).delete()[0]
    return done
