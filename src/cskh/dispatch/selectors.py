"""Reads for work orders. Every query for a user starts from visible_work_orders(user)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases.models import Case
from cskh.core.errors import NotFound
from cskh.core.pagination import keyset_page
from cskh.customers.models import Customer
from cskh.dispatch.models import Attachment, WorkOrder, WorkOrderEvent
from cskh.org.models import Unit, User
from cskh.org.selectors import visible_unit_ids

LIST_RELATED = ("unit", "case", "case__case_type")
STATES = ("open", "overdue", "info", "new", "closed", "all")
ORDERS: dict[str, tuple[str, ...]] = {"-id": ("-id",), "expected_at": ("expected_at", "id")}


def visible_work_orders(user: User) -> QuerySet[WorkOrder]:
    """Unit staff: their unit (and its sub-units) only. Center staff: every unit."""
    qs = WorkOrder.objects.all()
    units = visible_unit_ids(user)
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    return qs


def get_for_user(user: User, work_order_id: int | str) -> WorkOrder:
    try:
        pk = int(work_order_id)
    except (TypeError, ValueError):
        pk = 0
    wo = (
        visible_work_orders(user)
        .select_related(
            "unit", "case__case_type", "case__customer", "case__unit", "created_by", "previous"
        )
        .filter(pk=pk)
        .first()
    )
    if wo is None:
        raise NotFound(_("Không tìm thấy phiếu giao việc."))
    return wo


def list_for_user(
    user: User,
    *,
    state: str = "open",
    status: str | None = None,
    unit: str | None = None,
    case_number: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    order: str = "-id",
    now: datetime | None = None,
) -> tuple[list[WorkOrder], str | None]:
    from cskh.core.errors import DomainError

    if state not in STATES:
        raise DomainError(_("Bộ lọc không hợp lệ: %(s)s") % {"s": state}, code="bad_filter")
    if status and status not in WorkOrder.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": status}, code="bad_status")
    if order not in ORDERS:
        raise DomainError(_("Cách sắp xếp không hợp lệ."), code="bad_order")
    now = now or timezone.now()
    qs = visible_work_orders(user).select_related(*LIST_RELATED)
    if state == "open":
        qs = qs.filter(is_active=True)
    elif state == "overdue":
        qs = qs.filter(is_active=True, expected_at__lt=now)
    elif state == "info":
        qs = qs.filter(is_active=True, info_requested=True)
    elif state == "new":
        qs = qs.filter(is_active=True, status=WorkOrder.Status.SENT)
    elif state == "closed":
        qs = qs.filter(is_active=False)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit__code=unit)
    if case_number:
        qs = qs.filter(case__number=case_number.strip().upper())
    if order == "expected_at":
        qs = qs.filter(expected_at__isnull=False)
    return keyset_page(qs, cursor=cursor, limit=max(1, min(int(limit), 200)), order=ORDERS[order])


def events(wo: WorkOrder) -> list[WorkOrderEvent]:
    rows = list(wo.events.select_related("actor").order_by("created_at", "id"))
    return rows


def attachments(wo: WorkOrder) -> list[Attachment]:
    return list(wo.attachments.order_by("id"))


def attachment_for_user(user: User, work_order_id: int, attachment_id: int) -> Attachment:
    wo = get_for_user(user, work_order_id)
    att = wo.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise NotFound(_("Không tìm thấy tệp đính kèm."))
    return att


def for_case(case: Case) -> list[WorkOrder]:
    return list(WorkOrder.objects.filter(case=case).select_related("unit").order_by("-id"))


def active_for_case(case: Case) -> WorkOrder | None:
    return WorkOrder.objects.filter(case=case, is_active=True).select_related("unit").first()


def customer_of(user: User, wo_id: int) -> Customer:
    """The customer behind a work order, for the unit that holds it (404 for anyone else)."""
    wo = get_for_user(user, wo_id)
    return wo.case.customer


def field_units() -> list[Unit]:
    return list(Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.CENTER).order_by("code"))


def backlog(user: User, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per unit: open work orders, not yet accepted, overdue, waiting for information."""
    now = now or timezone.now()
    rows = (
        visible_work_orders(user)
        .filter(is_active=True)
        .values("unit_id")
        .annotate(
            open=Count("id"),
            new=Count("id", filter=Q(status=WorkOrder.Status.SENT)),
            overdue=Count("id", filter=Q(expected_at__lt=now)),
            info=Count("id", filter=Q(info_requested=True)),
        )
    )
    by_unit = {r["unit_id"]: r for r in rows}
    units = Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.CENTER)
    visible = visible_unit_ids(user)
    if visible is not None:
        units = units.filter(pk__in=visible)
    units = Unit.objects.filter(Q(pk__in=units) | Q(pk__in=list(by_unit))).order_by("code")
    zero = {"open": 0, "new": 0, "overdue": 0, "info": 0}
    out: list[dict[str, Any]] = [{"unit": u, **zero, **by_unit.get(u.pk, {})} for u in units]
    out.sort(key=lambda r: (-r["overdue"], -r["open"], r["unit"].code))
    return out


def overdue(user: User, *, now: datetime | None = None, limit: int = 100) -> list[WorkOrder]:
    now = now or timezone.now()
    return list(
        visible_work_orders(user)
        .filter(is_active=True, expected_at__lt=now)
        .select_related(*LIST_RELATED)
        .order_by("expected_at", "id")[:limit]
    )
