"""What every dispatch step shares: permissions, input cleaning, the journal, locking, closing
a work order and the customer messages."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Case
from cskh.cases.states import Status as CaseStatus
from cskh.cases.states import allowed as case_allowed
from cskh.core import audit
from cskh.core.errors import Conflict, DomainError, Forbidden, NotFound
from cskh.core.text import nfc
from cskh.core.types import Actor
from cskh.dispatch import states
from cskh.dispatch.models import WorkOrder, WorkOrderEvent
from cskh.notify.services import notify_customer
from cskh.org import permissions
from cskh.org.models import User
from cskh.org.selectors import visible_unit_ids

REASON_MAX = 500


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def can_coordinate(actor: Actor) -> bool:
    """Center-side steps (dispatch, redispatch, cancel, answer a unit's question); the system
    itself (hooks, commands: no actor) may always."""
    return actor is None or permissions.can_coordinate(actor)


def require_coordinator(actor: Actor) -> None:
    if not can_coordinate(actor):
        raise Forbidden(_("Chỉ trung tâm CSKH được điều phối phiếu giao việc."))


def require_visible(actor: Actor, wo: WorkOrder) -> None:
    """Another unit's work order does not exist for this user (404, not 403)."""
    if actor is None:
        return
    units = visible_unit_ids(actor) if isinstance(actor, User) else set()
    if units is not None and wo.unit_id not in units:
        raise NotFound(_("Không tìm thấy phiếu giao việc."))


def clean(text: str | None, *, what: str, required: bool = True, max_len: int = 0) -> str:
    text = nfc(text or "").strip()
    if required and not text:
        raise DomainError(_("Thiếu %(f)s.") % {"f": what}, code="missing_text")
    limit = max_len or settings.CSKH_MAX_TEXT
    if len(text) > limit:
        raise DomainError(
            _("%(f)s quá dài (tối đa %(n)s ký tự).") % {"f": what.capitalize(), "n": limit},
            code="too_long",
        )
    return text


def journal(
    wo: WorkOrder,
    kind: str,
    *,
    actor: Actor,
    body: str = "",
    data: dict[str, Any] | None = None,
    at: datetime,
    case_body: str | None = None,
) -> WorkOrderEvent:
    """One step: the work order's log, the case timeline and the audit trail."""
    data = {"work_order": wo.pk, "code": wo.code, "unit": wo.unit.code, **(data or {})}
    event = WorkOrderEvent.objects.create(
        work_order=wo, kind=kind, actor=user_or_none(actor), body=body, data=data, created_at=at
    )
    case_services.add_event(
        case=wo.case,
        kind="dispatch",
        actor=actor,
        body=case_body if case_body is not None else body,
        data={"action": kind, "unit_name": wo.unit.name, **data},
        at=at,
    )
    audit.record(
        actor=actor, action=f"dispatch.{kind}", obj=wo, changes={"status": wo.status, **data}
    )
    return event


def move_case(case: Case, to: str, *, actor: Actor, note: str) -> Case:
    """Transition the case when it is not already there and the move is legal."""
    current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).get()
    if current == to or to not in case_allowed(current):
        return case
    return case_services.transition(case=case, to=to, actor=actor, note=note)


def lock(wo: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("case__customer", "case__case_type", "unit")
        .get(pk=wo.pk)
    )


def require_open(wo: WorkOrder) -> None:
    if wo.status not in states.OPEN:
        raise Conflict(
            _("Phiếu %(c)s đã kết thúc (%(s)s).")
            % {"c": wo.code, "s": WorkOrder.Status(wo.status).label},
            code="work_order_closed",
        )


def close(
    wo: WorkOrder,
    status: str,
    *,
    reason: str,
    actor: Actor,
    kind: str,
    move_case_back: bool = True,
) -> WorkOrder:
    """End a work order without result (cancelled by the center, rejected by the unit)."""
    now = timezone.now()
    states.move(wo, status)
    wo.is_active = False
    wo.info_requested = False
    wo.reason = reason[:REASON_MAX]
    wo.save(update_fields=["status", "is_active", "info_requested", "reason", "updated_at"])
    labels = {
        "cancelled": _("Hủy phiếu %(c)s (%(u)s). Lý do: %(r)s"),
        "rejected": _("%(u)s trả lại phiếu %(c)s. Lý do: %(r)s"),
    }
    body = labels[kind] % {"c": wo.code, "u": wo.unit.name, "r": reason}
    journal(wo, kind, actor=actor, body=reason, case_body=body, data={"reason": reason}, at=now)
    if move_case_back:
        move_case(wo.case, CaseStatus.IN_PROGRESS, actor=actor, note=body)
    return wo


def notify(wo: WorkOrder, template: str, key: str) -> None:
    notify_customer(
        customer=wo.case.customer,
        template=template,
        context={
            "case_number": wo.case.number,
            "case_type": wo.case.case_type.name,
            "unit_name": wo.unit.name,
            "expected_at": wo.expected_at,
            "work_order": wo.code,
        },
        case=wo.case,
        dedupe_key=f"wo:{wo.pk}:{key}",
    )
