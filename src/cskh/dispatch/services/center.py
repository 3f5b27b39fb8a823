"""The center's side: dispatch a case to a field unit, redispatch, cancel, answer questions."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Case
from cskh.cases.states import OPEN_STATUSES, Status
from cskh.catalog.services import route
from cskh.core.errors import Conflict, DomainError
from cskh.core.types import Actor
from cskh.core.uploads import Upload
from cskh.dispatch import states
from cskh.dispatch.models import Attachment, WorkOrder, WorkOrderEvent
from cskh.dispatch.services import uploads
from cskh.dispatch.services.common import (
    REASON_MAX,
    clean,
    close,
    journal,
    lock,
    move_case,
    notify,
    require_coordinator,
    require_open,
    require_visible,
    user_or_none,
)
from cskh.geo.models import Ward
from cskh.org.models import Unit

S = WorkOrder.Status


def _ward(case: Case) -> Ward | None:
    sp = case.service_point
    if sp is not None and sp.ward_id:
        return sp.ward
    return case.customer.ward if case.customer.ward_id else None


def case_facts(case: Case) -> dict[str, Any]:
    """What the field team needs, copied at dispatch time."""
    customer = case.customer
    sp = case.service_point
    ward = _ward(case)
    phones = sorted(customer.phones.all(), key=lambda p: (not p.is_primary, p.pk))
    position = ""
    if sp is not None:
        position = " / ".join(x for x in (sp.feeder_code, sp.transformer_code) if x)
    address = (sp.address if sp is not None and sp.address else "") or customer.address
    return {
        "customer_name": customer.full_name[:200],
        "address": (address or "")[:300],
        "ward_name": (f"{ward.name}, {ward.province.name}" if ward else "")[:200],
        "service_point_code": sp.code if sp is not None else "",
        "network_position": position[:80],
        "contact_phone": phones[0].e164 if phones else "",
        "description": case.description,
    }


def responsible_unit(case: Case) -> Unit | None:
    """The field unit for a case: routing rules / ward (catalog.route), else the case's unit."""
    ward = _ward(case)
    unit = route(case_type=case.case_type, ward_id=ward.pk if ward else None)
    if unit is not None and unit.is_active and unit.kind != Unit.Kind.CENTER:
        return unit
    if case.unit and case.unit.is_active and case.unit.kind != Unit.Kind.CENTER:
        return case.unit
    return None


def _check_target(unit: Unit | None) -> Unit:
    if unit is None:
        raise DomainError(
            _("Chưa xác định được đơn vị xử lý: hãy chọn đơn vị."), code="no_unit", status=400
        )
    if not unit.is_active:
        raise DomainError(_("Đơn vị %(u)s đã ngừng hoạt động.") % {"u": unit.name}, code="bad_unit")
    if unit.kind == Unit.Kind.CENTER:
        raise DomainError(
            _("Không thể gửi phiếu giao việc cho trung tâm CSKH; hãy chọn đơn vị xử lý."),
            code="bad_unit",
        )
    return unit


def _case_for_dispatch(case_id: int) -> Case:
    return Case.objects.select_related(
        "customer__ward__province", "service_point__ward__province", "case_type", "unit"
    ).get(pk=case_id)


def _create(
    *,
    case: Case,
    unit: Unit,
    actor: Actor,
    instructions: str,
    expected_at: datetime | None,
    previous: WorkOrder | None,
    files: list[tuple[Upload, str, str]],
    copy_from: WorkOrder | None,
    now: datetime,
    kind: str,
    reason: str = "",
) -> WorkOrder:
    wo = WorkOrder(
        case=case,
        unit=unit,
        status=S.SENT,
        is_active=True,
        instructions=instructions,
        expected_at=expected_at if expected_at is not None else case.due_at,
        previous=previous,
        reason=reason[:REASON_MAX],
        created_by=user_or_none(actor),
        created_at=now,
        **case_facts(case),
    )
    try:
        with transaction.atomic():
            wo.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("Yêu cầu %(n)s đã có phiếu giao việc đang mở.") % {"n": case.number},
            code="already_dispatched",
        ) from exc
    stored: list[str] = []
    try:
        uploads.store_files(
            wo, files, actor=actor, purpose=Attachment.Purpose.BRIEF, now=now, stored=stored
        )
        if copy_from is not None:
            uploads.copy_brief(copy_from, wo)
        if case.unit_id != unit.pk:
            case = case_services.assign(
                case=case,
                unit=unit,
                actor=actor,
                reason=reason or _("Điều phối cho %(u)s.") % {"u": unit.name},
            )
            wo.case = case
        body = (
            _("Chuyển %(u)s xử lý (%(c)s). Lý do: %(r)s")
            % {"u": unit.name, "c": wo.code, "r": reason}
            if kind == "redispatched"
            else _("Gửi %(u)s xử lý (%(c)s).") % {"u": unit.name, "c": wo.code}
        )
        if wo.expected_at:
            body += " " + _("Hạn: %(t)s.") % {
                "t": timezone.localtime(wo.expected_at).strftime("%H:%M %d/%m/%Y")
            }
        if instructions:
            body += "\n" + instructions
        journal(
            wo,
            kind,
            actor=actor,
            body=instructions if kind == "dispatched" else reason,
            case_body=body,
            data={
                "expected_at": wo.expected_at.isoformat() if wo.expected_at else None,
                "previous": previous.pk if previous else None,
                "reason": reason,
            },
            at=now,
        )
        move_case(
            case,
            Status.WAITING_UNIT,
            actor=actor,
            note=_("Chờ %(u)s xử lý (%(c)s).") % {"u": unit.name, "c": wo.code},
        )
        wo.case = Case.objects.select_related("customer", "case_type").get(pk=case.pk)
        notify(wo, "case_dispatched", "dispatched")
    except BaseException:
        uploads.discard(stored)
        raise
    return wo


@transaction.atomic
def dispatch_case(
    *,
    case: Case,
    actor: Actor = None,
    unit: Unit | None = None,
    instructions: str = "",
    expected_at: datetime | None = None,
    attachments: Iterable[Upload | None] | None = None,
    check_permission: bool = True,
) -> WorkOrder:
    """Send a case to a field unit (the routed one unless `unit` is given)."""
    if check_permission:
        require_coordinator(actor)
    instructions = clean(instructions, what=_("ghi chú"), required=False)
    files = uploads.validate_uploads(attachments)
    now = timezone.now()
    if expected_at is not None and expected_at <= now:
        raise DomainError(_("Hạn hoàn thành phải ở tương lai."), code="bad_expected_at")
    case = _case_for_dispatch(case.pk)
    if not case.is_open or case.status not in OPEN_STATUSES:
        raise Conflict(
            _("Yêu cầu %(n)s đã giải quyết/đóng, không thể điều phối.") % {"n": case.number},
            code="case_closed",
        )
    active = WorkOrder.objects.filter(case=case, is_active=True).first()
    if active is not None:
        raise Conflict(
            _("Yêu cầu %(n)s đã có phiếu giao việc đang mở (%(c)s).")
            % {"n": case.number, "c": active.code},
            code="already_dispatched",
        )
    target = _check_target(unit or responsible_unit(case))
    return _create(
        case=case,
        unit=target,
        actor=actor,
        instructions=instructions,
        expected_at=expected_at,
        previous=WorkOrder.objects.filter(case=case).order_by("-id").first(),
        files=files,
        copy_from=None,
        now=now,
        kind="dispatched",
    )


@transaction.atomic
def redispatch(
    *,
    work_order: WorkOrder,
    unit: Unit | None,
    reason: str,
    actor: Actor = None,
    instructions: str | None = None,
    expected_at: datetime | None = None,
) -> WorkOrder:
    """Move the work to another unit. The reason is required and recorded on both orders."""
    require_coordinator(actor)
    require_visible(actor, work_order)
    reason = clean(reason, what=_("lý do chuyển đơn vị"), max_len=REASON_MAX)
    target = _check_target(unit)
    old = lock(work_order)
    latest = WorkOrder.objects.filter(case_id=old.case_id).order_by("-id").first()
    if latest is not None and latest.pk != old.pk:
        raise Conflict(
            _("Phiếu %(c)s đã được thay bằng %(n)s.") % {"c": old.code, "n": latest.code},
            code="superseded",
        )
    if old.status == S.DONE:
        raise Conflict(_("Phiếu %(c)s đã hoàn thành.") % {"c": old.code}, code="work_order_closed")
    if target.pk == old.unit_id and old.is_active:
        raise DomainError(
            _("Phiếu đang ở %(u)s; hãy chọn đơn vị khác.") % {"u": target.name}, code="same_unit"
        )
    case = old.case
    if not case.is_open:
        raise Conflict(
            _("Yêu cầu %(n)s đã giải quyết/đóng, không thể điều phối.") % {"n": case.number},
            code="case_closed",
        )
    now = timezone.now()
    if expected_at is not None and expected_at <= now:
        raise DomainError(_("Hạn hoàn thành phải ở tương lai."), code="bad_expected_at")
    if old.is_active:
        states.move(old, S.REDISPATCHED)
        old.is_active = False
        old.reason = reason
        old.info_requested = False
        old.save(update_fields=["status", "is_active", "reason", "info_requested", "updated_at"])
        WorkOrderEvent.objects.create(
            work_order=old,
            kind="redispatched",
            actor=user_or_none(actor),
            body=reason,
            data={"to": target.code},
            created_at=now,
        )
    return _create(
        case=_case_for_dispatch(case.pk),
        unit=target,
        actor=actor,
        instructions=(
            old.instructions
            if instructions is None
            else clean(instructions, what=_("ghi chú"), required=False)
        ),
        expected_at=expected_at if expected_at is not None else old.expected_at,
        previous=old,
        files=[],
        copy_from=old,
        now=now,
        kind="redispatched",
        reason=reason,
    )


@transaction.atomic
def cancel(*, work_order: WorkOrder, reason: str, actor: Actor = None) -> WorkOrder:
    """The center withdraws the work order; the case comes back to the center."""
    require_coordinator(actor)
    require_visible(actor, work_order)
    reason = clean(reason, what=_("lý do hủy"), max_len=REASON_MAX)
    wo = lock(work_order)
    require_open(wo)
    return close(wo, S.CANCELLED, reason=reason, actor=actor, kind="cancelled")


@transaction.atomic
def provide_info(*, work_order: WorkOrder, answer: str, actor: Actor = None) -> WorkOrder:
    """The center answers the unit's question; the case goes back to waiting for the unit."""
    require_coordinator(actor)
    require_visible(actor, work_order)
    answer = clean(answer, what=_("nội dung trả lời"))
    wo = lock(work_order)
    require_open(wo)
    if not wo.info_requested:
        raise Conflict(_("Đơn vị không hỏi thêm thông tin."), code="no_question")
    now = timezone.now()
    wo.info_requested = False
    wo.save(update_fields=["info_requested", "updated_at"])
    body = _("Trung tâm bổ sung thông tin cho %(u)s: %(a)s") % {"u": wo.unit.name, "a": answer}
    journal(wo, "info_provided", actor=actor, body=answer, case_body=body, at=now)
    move_case(wo.case, Status.WAITING_UNIT, actor=actor, note=body)
    return wo
