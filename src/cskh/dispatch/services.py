"""Work orders for field units: dispatch, the unit's steps, redispatch and cancellation.

The only place that changes dispatch state. Every step is written to the work order's own log,
to the case timeline (kind "dispatch", through cskh.cases.services) and to the audit log; the
milestones a customer cares about queue a notification in the same transaction:

- dispatched (with the expected time) → template "case_dispatched" (here)
- technician on the way → "technician_on_way" (here)
- needs your information → the case goes to "waiting_customer"; the notify hook sends "need_info"
- resolved → the case goes to "resolved"; the notify hook sends "case_resolved"
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.states import OPEN_STATUSES, Status, allowed
from cskh.core import audit
from cskh.core.errors import Conflict, DomainError, Forbidden, NotFound
from cskh.dispatch.models import Attachment, WorkOrder, WorkOrderEvent
from cskh.org.models import Unit
from cskh.org.selectors import visible_unit_ids
from cskh.textintel.normalize import nfc

log = logging.getLogger("cskh.dispatch")

S = WorkOrder.Status
OPEN_WO = frozenset({S.SENT, S.ACCEPTED, S.IN_PROGRESS})
COORDINATOR_ROLES = frozenset({"agent", "shift_lead", "manager", "admin", "integration"})
MAX_FILES = 10
REASON_MAX = 500

# Magic numbers: the stored type comes from the bytes, never from the client's claim.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),  # RIFF....WEBP
)


# --------------------------------------------------------------------------- permissions


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def can_coordinate(actor) -> bool:
    """Center-side steps (dispatch, redispatch, cancel, answer a unit's question)."""
    if actor is None:
        return True  # the system (hooks, commands)
    return bool(actor.is_superuser or actor.role in COORDINATOR_ROLES)


def _require_coordinator(actor) -> None:
    if not can_coordinate(actor):
        raise Forbidden(_("Chỉ trung tâm CSKH được điều phối phiếu công tác."))


def _require_visible(actor, wo: WorkOrder) -> None:
    """Another unit's work order does not exist for this user (404, not 403)."""
    if actor is None:
        return
    units = visible_unit_ids(actor)
    if units is not None and wo.unit_id not in units:
        raise NotFound(_("Không tìm thấy phiếu công tác."))


# --------------------------------------------------------------------------- input


def _clean(text: str | None, *, what: str, required: bool = True, max_len: int = 0) -> str:
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


def _sniff(head: bytes) -> str | None:
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def validate_uploads(files: Iterable | None) -> list[tuple[object, str, str]]:
    """Check every file before anything is written: [(file, content type, extension)].

    Allowed types and the size limit come from settings.CSKH_DISPATCH_UPLOAD_TYPES and
    CSKH_DISPATCH_MAX_UPLOAD. Raises 413 (too large) or 415 (type not allowed)."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_FILES:
        raise DomainError(
            _("Tối đa %(n)s tệp mỗi lần.") % {"n": MAX_FILES}, status=400, code="too_many_files"
        )
    allowed_types: dict[str, str] = settings.CSKH_DISPATCH_UPLOAD_TYPES
    limit = int(settings.CSKH_DISPATCH_MAX_UPLOAD)
    out = []
    for f in files:
        name = os.path.basename(getattr(f, "name", "") or "tep")
        size = int(getattr(f, "size", 0) or 0)
        if size <= 0:
            raise DomainError(_("Tệp “%(n)s” rỗng.") % {"n": name}, code="empty_file")
        if size > limit:
            raise DomainError(
                _("Tệp “%(n)s” quá lớn (tối đa %(mb)s MB).")
                % {"n": name, "mb": round(limit / 1024 / 1024, 1)},
                status=413,
                code="file_too_large",
            )
        f.seek(0)
        head = f.read(16)
        f.seek(0)
        content_type = _sniff(head)
        if content_type is None or content_type not in allowed_types:
            raise DomainError(
                _("Tệp “%(n)s” không đúng định dạng cho phép (%(t)s).")
                % {
                    "n": name,
                    "t": ", ".join(sorted(v.lstrip(".") for v in allowed_types.values())),
                },
                status=415,
                code="bad_file_type",
            )
        out.append((f, content_type, allowed_types[content_type]))
    return out


def _store_files(
    wo: WorkOrder, validated, *, actor, purpose: str, now: datetime, stored: list[str]
) -> list[Attachment]:
    rows = []
    for f, content_type, ext in validated:
        att = Attachment(
            work_order=wo,
            stored_name=f"{uuid.uuid4().hex}{ext}",
            original_name=os.path.basename(getattr(f, "name", "") or "tep")[:200],
            content_type=content_type,
            purpose=purpose,
            size=int(f.size),
            uploaded_by=_user(actor),
            created_at=now,
        )
        att.file.save(att.stored_name, f, save=False)
        stored.append(att.file.name)
        att.save()
        rows.append(att)
    return rows


def _discard(stored: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in stored:
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("could not delete orphan upload %s", name)


# --------------------------------------------------------------------------- facts & routing


def _ward(case):
    sp = case.service_point
    if sp is not None and sp.ward_id:
        return sp.ward
    return case.customer.ward if case.customer.ward_id else None


def case_facts(case) -> dict:
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


def responsible_unit(case) -> Unit | None:
    """The field unit for a case: routing rules / ward (catalog.route), else the case's unit."""
    from cskh.catalog.services import route

    ward = _ward(case)
    unit = route(case_type=case.case_type, ward_id=ward.pk if ward else None)
    if unit is not None and unit.is_active and unit.kind != Unit.Kind.CENTER:
        return unit
    if case.unit_id and case.unit.is_active and case.unit.kind != Unit.Kind.CENTER:
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
            _("Không thể gửi phiếu công tác cho trung tâm CSKH; hãy chọn đơn vị xử lý."),
            code="bad_unit",
        )
    return unit


# --------------------------------------------------------------------------- journal


def _journal(
    wo: WorkOrder,
    kind: str,
    *,
    actor,
    body: str = "",
    data: dict | None = None,
    at: datetime,
    case_body: str | None = None,
) -> WorkOrderEvent:
    """One step: the work order's log, the case timeline and the audit trail."""
    data = {"work_order": wo.pk, "code": wo.code, "unit": wo.unit.code, **(data or {})}
    event = WorkOrderEvent.objects.create(
        work_order=wo, kind=kind, actor=_user(actor), body=body, data=data, created_at=at
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


def _move_case(case, to: str, *, actor, note: str):
    """Transition the case when it is not already there and the move is legal."""
    from cskh.cases.models import Case

    current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).get()
    if current == to or to not in allowed(current):
        return case
    return case_services.transition(case=case, to=to, actor=actor, note=note)


def _lock(wo: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("case__customer", "case__case_type", "unit")
        .get(pk=wo.pk)
    )


def _require_open(wo: WorkOrder) -> None:
    if wo.status not in OPEN_WO:
        raise Conflict(
            _("Phiếu %(c)s đã kết thúc (%(s)s).") % {"c": wo.code, "s": S(wo.status).label},
            code="work_order_closed",
        )


def _notify_ctx(wo: WorkOrder) -> dict:
    return {
        "case_number": wo.case.number,
        "case_type": wo.case.case_type.name,
        "unit_name": wo.unit.name,
        "expected_at": wo.expected_at,
        "work_order": wo.code,
    }


def _notify(wo: WorkOrder, template: str, key: str) -> None:
    from cskh.notify.services import notify_customer

    notify_customer(
        customer=wo.case.customer,
        template=template,
        context=_notify_ctx(wo),
        case=wo.case,
        dedupe_key=f"wo:{wo.pk}:{key}",
    )


# --------------------------------------------------------------------------- center side


def _create(
    *,
    case,
    unit: Unit,
    actor,
    instructions: str,
    expected_at: datetime | None,
    previous: WorkOrder | None,
    files,
    copy_from: WorkOrder | None,
    now: datetime,
    kind: str,
    reason: str = "",
) -> WorkOrder:
    from cskh.cases.models import Case

    facts = case_facts(case)
    wo = WorkOrder(
        case=case,
        unit=unit,
        status=S.SENT,
        is_active=True,
        instructions=instructions,
        expected_at=expected_at if expected_at is not None else case.due_at,
        previous=previous,
        reason=reason[:REASON_MAX],
        created_by=_user(actor),
        created_at=now,
        **facts,
    )
    try:
        with transaction.atomic():
            wo.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("Vụ việc %(n)s đã có phiếu công tác đang mở.") % {"n": case.number},
            code="already_dispatched",
        ) from exc
    stored: list[str] = []
    try:
        _store_files(
            wo, files, actor=actor, purpose=Attachment.Purpose.BRIEF, now=now, stored=stored
        )
        if copy_from is not None:
            for att in copy_from.attachments.filter(purpose=Attachment.Purpose.BRIEF):
                Attachment.objects.create(
                    work_order=wo,
                    file=att.file.name,
                    stored_name=att.stored_name,
                    original_name=att.original_name,
                    content_type=att.content_type,
                    purpose=att.purpose,
                    size=att.size,
                    uploaded_by=att.uploaded_by,
                    created_at=att.created_at,
                )
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
        _journal(
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
        _move_case(
            case,
            Status.WAITING_UNIT,
            actor=actor,
            note=_("Chờ %(u)s xử lý (%(c)s).") % {"u": unit.name, "c": wo.code},
        )
        wo.case = Case.objects.select_related("customer", "case_type").get(pk=case.pk)
        _notify(wo, "case_dispatched", "dispatched")
    except BaseException:
        _discard(stored)
        raise
    return wo


@transaction.atomic
def dispatch_case(
    *,
    case,
    actor=None,
    unit: Unit | None = None,
    instructions: str = "",
    expected_at: datetime | None = None,
    attachments: Iterable | None = None,
    check_permission: bool = True,
) -> WorkOrder:
    """Send a case to a field unit (the routed one unless `unit` is given)."""
    from cskh.cases.models import Case

    if check_permission:
        _require_coordinator(actor)
    instructions = _clean(instructions, what=_("ghi chú"), required=False)
    files = validate_uploads(attachments)
    now = timezone.now()
    if expected_at is not None and expected_at <= now:
        raise DomainError(_("Hạn hoàn thành phải ở tương lai."), code="bad_expected_at")
    case = Case.objects.select_related(
        "customer__ward__province", "service_point__ward__province", "case_type", "unit"
    ).get(pk=case.pk)
    if not case.is_open or case.status not in OPEN_STATUSES:
        raise Conflict(
            _("Vụ việc %(n)s đã giải quyết/đóng, không thể điều phối.") % {"n": case.number},
            code="case_closed",
        )
    active = WorkOrder.objects.filter(case=case, is_active=True).first()
    if active is not None:
        raise Conflict(
            _("Vụ việc %(n)s đã có phiếu công tác đang mở (%(c)s).")
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
    actor=None,
    instructions: str | None = None,
    expected_at: datetime | None = None,
) -> WorkOrder:
    """Move the work to another unit. The reason is required and recorded on both orders."""
    _require_coordinator(actor)
    _require_visible(actor, work_order)
    reason = _clean(reason, what=_("lý do chuyển đơn vị"), max_len=REASON_MAX)
    target = _check_target(unit)
    old = _lock(work_order)
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
            _("Vụ việc %(n)s đã giải quyết/đóng, không thể điều phối.") % {"n": case.number},
            code="case_closed",
        )
    now = timezone.now()
    if expected_at is not None and expected_at <= now:
        raise DomainError(_("Hạn hoàn thành phải ở tương lai."), code="bad_expected_at")
    if old.is_active:
        old.status = S.REDISPATCHED
        old.is_active = False
        old.reason = reason
        old.info_requested = False
        old.save(update_fields=["status", "is_active", "reason", "info_requested", "updated_at"])
        WorkOrderEvent.objects.create(
            work_order=old,
            kind="redispatched",
            actor=_user(actor),
            body=reason,
            data={"to": target.code},
            created_at=now,
        )
    from cskh.cases.models import Case

    case = Case.objects.select_related(
        "customer__ward__province", "service_point__ward__province", "case_type", "unit"
    ).get(pk=case.pk)
    return _create(
        case=case,
        unit=target,
        actor=actor,
        instructions=(
            old.instructions
            if instructions is None
            else _clean(instructions, what=_("ghi chú"), required=False)
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
def cancel(*, work_order: WorkOrder, reason: str, actor=None) -> WorkOrder:
    """The center withdraws the work order; the case comes back to the center."""
    _require_coordinator(actor)
    _require_visible(actor, work_order)
    reason = _clean(reason, what=_("lý do hủy"), max_len=REASON_MAX)
    wo = _lock(work_order)
    _require_open(wo)
    return _close(wo, S.CANCELLED, reason=reason, actor=actor, kind="cancelled")


def _close(wo: WorkOrder, status: str, *, reason: str, actor, kind: str, move_case=True):
    now = timezone.now()
    wo.status = status
    wo.is_active = False
    wo.info_requested = False
    wo.reason = reason[:REASON_MAX]
    wo.save(update_fields=["status", "is_active", "info_requested", "reason", "updated_at"])
    labels = {
        "cancelled": _("Hủy phiếu %(c)s (%(u)s). Lý do: %(r)s"),
        "rejected": _("%(u)s trả lại phiếu %(c)s. Lý do: %(r)s"),
    }
    body = labels[kind] % {"c": wo.code, "u": wo.unit.name, "r": reason}
    _journal(wo, kind, actor=actor, body=reason, case_body=body, data={"reason": reason}, at=now)
    if move_case:
        _move_case(wo.case, Status.IN_PROGRESS, actor=actor, note=body)
    return wo


@transaction.atomic
def provide_info(*, work_order: WorkOrder, answer: str, actor=None) -> WorkOrder:
    """The center answers the unit's question; the case goes back to waiting for the unit."""
    _require_coordinator(actor)
    _require_visible(actor, work_order)
    answer = _clean(answer, what=_("nội dung trả lời"))
    wo = _lock(work_order)
    _require_open(wo)
    if not wo.info_requested:
        raise Conflict(_("Đơn vị không hỏi thêm thông tin."), code="no_question")
    now = timezone.now()
    wo.info_requested = False
    wo.save(update_fields=["info_requested", "updated_at"])
    body = _("Trung tâm bổ sung thông tin cho %(u)s: %(a)s") % {"u": wo.unit.name, "a": answer}
    _journal(wo, "info_provided", actor=actor, body=answer, case_body=body, at=now)
    _move_case(wo.case, Status.WAITING_UNIT, actor=actor, note=body)
    return wo


# --------------------------------------------------------------------------- unit side


@transaction.atomic
def accept(*, work_order: WorkOrder, actor=None, note: str = "") -> WorkOrder:
    _require_visible(actor, work_order)
    note = _clean(note, what=_("ghi chú"), required=False)
    wo = _lock(work_order)
    _require_open(wo)
    if wo.status != S.SENT:
        raise Conflict(_("Phiếu %(c)s đã được nhận.") % {"c": wo.code}, code="already_accepted")
    now = timezone.now()
    wo.status = S.ACCEPTED
    wo.accepted_at = now
    wo.save(update_fields=["status", "accepted_at", "updated_at"])
    body = _("%(u)s đã nhận phiếu %(c)s.") % {"u": wo.unit.name, "c": wo.code}
    _journal(wo, "accepted", actor=actor, body=note, case_body=f"{body} {note}".strip(), at=now)
    return wo


@transaction.atomic
def add_progress_note(
    *, work_order: WorkOrder, body: str = "", actor=None, on_the_way: bool = False
) -> WorkOrder:
    """A progress note from the field. on_the_way: the technician is heading to the customer
    (the work order goes "in progress" and the customer is told, once)."""
    _require_visible(actor, work_order)
    body = _clean(body, what=_("nội dung cập nhật"), required=not on_the_way)
    wo = _lock(work_order)
    _require_open(wo)
    if wo.status == S.SENT:
        raise Conflict(
            _("Hãy nhận phiếu %(c)s trước khi cập nhật tiến độ.") % {"c": wo.code},
            code="not_accepted",
        )
    now = timezone.now()
    kind = "progress"
    if on_the_way:
        kind = "on_the_way"
        body = body or _("Nhân viên đang trên đường đến.")
        if wo.status == S.ACCEPTED:
            wo.status = S.IN_PROGRESS
            wo.started_at = now
            wo.save(update_fields=["status", "started_at", "updated_at"])
    case_body = _("Tiến độ từ %(u)s: %(b)s") % {"u": wo.unit.name, "b": body}
    _journal(wo, kind, actor=actor, body=body, case_body=case_body, at=now)
    if on_the_way:
        _notify(wo, "technician_on_way", "on_way")
    return wo


INFO_TARGETS = ("center", "customer")


@transaction.atomic
def request_info(
    *, work_order: WorkOrder, question: str, actor=None, target: str = "center"
) -> WorkOrder:
    """The unit asks the center for information; the work order waits for the answer.

    target="center": the case comes back to the center ("in progress", SLA clock running).
    target="customer": the case waits for the customer (SLA clock paused) and the customer
    gets the "need_info" message with the question."""
    _require_visible(actor, work_order)
    if target not in INFO_TARGETS:
        raise DomainError(_("Nơi hỏi không hợp lệ: %(t)s") % {"t": target}, code="bad_target")
    question = _clean(question, what=_("câu hỏi"))
    wo = _lock(work_order)
    _require_open(wo)
    now = timezone.now()
    wo.info_requested = True
    wo.save(update_fields=["info_requested", "updated_at"])
    if target == "customer":
        case_body = question
        to = Status.WAITING_CUSTOMER
    else:
        case_body = _("%(u)s cần trung tâm bổ sung thông tin: %(q)s") % {
            "u": wo.unit.name,
            "q": question,
        }
        to = Status.IN_PROGRESS
    _journal(
        wo,
        "info_requested",
        actor=actor,
        body=question,
        case_body=case_body,
        data={"target": target},
        at=now,
    )
    _move_case(wo.case, to, actor=actor, note=case_body)
    return wo


@transaction.atomic
def complete(
    *,
    work_order: WorkOrder,
    resolution: str,
    actor=None,
    photos: Iterable | None = None,
    resolve_case: bool = True,
) -> WorkOrder:
    """Done in the field: resolution text, optional photos; the case is resolved."""
    _require_visible(actor, work_order)
    resolution = _clean(resolution, what=_("kết quả xử lý"))
    files = validate_uploads(photos)
    wo = _lock(work_order)
    _require_open(wo)
    if wo.status == S.SENT:
        raise Conflict(
            _("Hãy nhận phiếu %(c)s trước khi báo hoàn thành.") % {"c": wo.code},
            code="not_accepted",
        )
    now = timezone.now()
    stored: list[str] = []
    try:
        wo.status = S.DONE
        wo.is_active = False
        wo.info_requested = False
        wo.resolution = resolution
        wo.done_at = now
        wo.save(
            update_fields=[
                "status",
                "is_active",
                "info_requested",
                "resolution",
                "done_at",
                "updated_at",
            ]
        )
        atts = _store_files(
            wo, files, actor=actor, purpose=Attachment.Purpose.RESULT, now=now, stored=stored
        )
        case_body = _("%(u)s hoàn thành %(c)s: %(r)s") % {
            "u": wo.unit.name,
            "c": wo.code,
            "r": resolution,
        }
        _journal(
            wo,
            "done",
            actor=actor,
            body=resolution,
            case_body=case_body,
            data={"photos": [a.pk for a in atts]},
            at=now,
        )
        if resolve_case:
            _move_case(wo.case, Status.RESOLVED, actor=actor, note=resolution)
    except BaseException:
        _discard(stored)
        raise
    return wo


@transaction.atomic
def reject(*, work_order: WorkOrder, reason: str, actor=None) -> WorkOrder:
    """The unit returns a work order that is not theirs; the center redispatches it."""
    _require_visible(actor, work_order)
    reason = _clean(reason, what=_("lý do trả lại"), max_len=REASON_MAX)
    wo = _lock(work_order)
    _require_open(wo)
    if wo.status == S.IN_PROGRESS:
        raise Conflict(
            _("Phiếu đang xử lý hiện trường, không thể trả lại."), code="already_started"
        )
    return _close(wo, S.REJECTED, reason=reason, actor=actor, kind="rejected")


# --------------------------------------------------------------------------- hooks


def _auto_types() -> set[str] | None:
    """None: off; empty set: every field case type; else these case type codes."""
    mode = str(getattr(settings, "CSKH_DISPATCH_AUTO", "off") or "off").strip().lower()
    if mode in {"off", "0", "false", "no", ""}:
        return None
    if mode in {"field", "all", "1", "true", "yes", "on"}:
        return set()
    return {c.strip() for c in mode.split(",") if c.strip()}


def on_case_opened(*, case, actor=None, resolved_on_call: bool = False, **_kw) -> None:
    """Hook (settings.CSKH_HOOKS["case_opened"]): dispatch field cases automatically.

    Idempotent: a case with an active work order is left alone. Skipped for cases resolved
    during the call, cases already linked to an incident, and cases with no field unit."""
    types = _auto_types()
    if types is None or resolved_on_call:
        return
    case_type = case.case_type
    if case_type.handler_unit_kind != "field" or (types and case_type.code not in types):
        return
    if not case.is_open or WorkOrder.objects.filter(case_id=case.pk, is_active=True).exists():
        return
    if case_type.groups_incidents and case.events.filter(kind="incident").exists():
        return  # the incident's crew handles it; the desk can still dispatch explicitly
    unit = responsible_unit(case)
    if unit is None:
        return
    try:
        with transaction.atomic():  # a failed auto-dispatch must not lose the case
            dispatch_case(case=case, actor=actor, unit=unit, check_permission=False)
    except DomainError as exc:
        log.warning("auto-dispatch of case %s skipped: %s", case.pk, exc)


def on_case_transitioned(*, case, before, actor=None, **_kw) -> None:
    """Hook: a case resolved or closed elsewhere withdraws its open work order."""
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        return
    wo = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("case__customer", "case__case_type", "unit")
        .filter(case_id=case.pk, is_active=True)
        .first()
    )
    if wo is None or wo.status not in OPEN_WO:
        return
    reason = _("Vụ việc đã được giải quyết tại trung tâm.")
    _close(wo, S.CANCELLED, reason=reason, actor=actor, kind="cancelled", move_case=False)
