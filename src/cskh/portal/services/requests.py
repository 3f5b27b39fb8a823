"""The customer's own requests: a new one, a reply (with photos), a reopening. Every case goes
through cases.services.open_case (routing, SLA, outage grouping) like a phoned-in one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Case
from cskh.cases.states import Status
from cskh.catalog import services as catalog
from cskh.core.errors import DomainError, NotFound
from cskh.customers.models import Customer
from cskh.portal.services import uploads
from cskh.textintel import services as textintel

CHANNEL = "web"


def _own_point(customer: Customer, service_point_id: int | None) -> Any:
    if not service_point_id:
        return None
    for sp in customer.service_points.all():
        if sp.pk == service_point_id:
            return sp
    raise NotFound(_("Không tìm thấy điểm dịch vụ."))


def new_request(
    *,
    customer: Customer,
    description: str,
    type_code: str = "",
    service_point_id: int | None = None,
    photos: list[Any] | None = None,
) -> Case:
    """Open a case written by the customer. Without a type the text module suggests one (the
    case is then marked unconfirmed, for an agent to check)."""
    description = (description or "").strip()
    if len(description) < 5:
        raise DomainError(_("Vui lòng mô tả yêu cầu (ít nhất 5 ký tự)."), code="missing_text")
    validated = uploads.validate(photos)
    point = _own_point(customer, service_point_id)
    confirmed = bool(type_code)
    if not type_code:
        suggestion = textintel.suggest_case_type(description)
        type_code = suggestion["code"] if suggestion else ""
    case_type = catalog.get_case_type(type_code)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = case_services.open_case(
                customer=customer,
                case_type=case_type,
                description=description,
                channel=CHANNEL,
                service_point=point,
                type_confirmed=confirmed,
            )
            uploads.store(
                validated, case_id=case.pk, customer_id=customer.pk, event_id=None, stored=stored
            )
    except Exception:
        uploads.discard(stored)
        raise
    return case


def reply(*, customer: Customer, case: Case, body: str, photos: list[Any] | None = None) -> int:
    """The customer writes on their case (text and/or photos); returns the timeline event id."""
    if case.customer_id != customer.pk:
        raise NotFound(_("Không tìm thấy yêu cầu %(n)s.") % {"n": case.number})
    validated = uploads.validate(photos)
    body = (body or "").strip()
    if not body and not validated:
        raise DomainError(_("Vui lòng nhập nội dung hoặc chọn ảnh."), code="missing_text")
    if not body:
        body = _("(Ảnh đính kèm)")
    stored: list[str] = []
    try:
        with transaction.atomic():
            event = case_services.add_customer_message(
                case=case, body=body, channel=CHANNEL, data={"photos": len(validated)}
            )
            uploads.store(
                validated,
                case_id=case.pk,
                customer_id=customer.pk,
                event_id=event.pk,
                stored=stored,
            )
    except Exception:
        uploads.discard(stored)
        raise
    return event.pk


def can_reopen(case: Case, *, now: Any = None) -> bool:
    """Resolved or closed within CSKH_PORTAL_REOPEN_DAYS days."""
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        return False
    ended = case.resolved_at or case.closed_at
    if ended is None:
        return False
    now = now or timezone.now()
    return bool(now - ended <= timedelta(days=settings.CSKH_PORTAL_REOPEN_DAYS))


def reopen(*, customer: Customer, case: Case, reason: str) -> Case:
    if case.customer_id != customer.pk:
        raise NotFound(_("Không tìm thấy yêu cầu %(n)s.") % {"n": case.number})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Vui lòng cho biết lý do mở lại."), code="missing_text")
    if not can_reopen(case):
        raise DomainError(
            _("Chỉ mở lại được yêu cầu đã giải quyết trong vòng %(d)s ngày.")
            % {"d": settings.CSKH_PORTAL_REOPEN_DAYS},
            status=409,
            code="reopen_closed",
        )
    return case_services.transition(
        case=case, to=Status.IN_PROGRESS, note=_("Khách hàng mở lại: %(r)s") % {"r": reason}
    )
