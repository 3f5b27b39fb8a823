"""The field unit's side: accept, report progress, ask for information, complete, return."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases.states import Status
from cskh.core import hooks
from cskh.core.errors import Conflict, DomainError
from cskh.core.types import Actor
from cskh.core.uploads import Upload
from cskh.dispatch import states
from cskh.dispatch.models import Attachment, WorkOrder
from cskh.dispatch.services import uploads
from cskh.dispatch.services.common import (
    REASON_MAX,
    clean,
    close,
    journal,
    lock,
    move_case,
    notify,
    require_open,
    require_visible,
)

S = WorkOrder.Status
INFO_TARGETS = ("center", "customer")


@transaction.atomic
def accept(*, work_order: WorkOrder, actor: Actor = None, note: str = "") -> WorkOrder:
    require_visible(actor, work_order)
    note = clean(note, what=_("ghi chú"), required=False)
    wo = lock(work_order)
    require_open(wo)
    if wo.status != S.SENT:
        raise Conflict(_("Phiếu %(c)s đã được nhận.") % {"c": wo.code}, code="already_accepted")
    now = timezone.now()
    states.move(wo, S.ACCEPTED)
    wo.accepted_at = now
    wo.save(update_fields=["status", "accepted_at", "updated_at"])
    body = _("%(u)s đã nhận phiếu %(c)s.") % {"u": wo.unit.name, "c": wo.code}
    journal(wo, "accepted", actor=actor, body=note, case_body=f"{body} {note}".strip(), at=now)
    return wo


@transaction.atomic
def add_progress_note(
    *, work_order: WorkOrder, body: str = "", actor: Actor = None, on_the_way: bool = False
) -> WorkOrder:
    """A progress note from the field. on_the_way: the technician is heading to the customer
    (the work order goes "in progress" and the customer is told, once)."""
    require_visible(actor, work_order)
    body = clean(body, what=_("nội dung cập nhật"), required=not on_the_way)
    wo = lock(work_order)
    require_open(wo)
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
            states.move(wo, S.IN_PROGRESS)
            wo.started_at = now
            wo.save(update_fields=["status", "started_at", "updated_at"])
    case_body = _("Tiến độ từ %(u)s: %(b)s") % {"u": wo.unit.name, "b": body}
    journal(wo, kind, actor=actor, body=body, case_body=case_body, at=now)
    if on_the_way:
        notify(wo, "technician_on_way", "on_way")
    return wo


@transaction.atomic
def request_info(
    *, work_order: WorkOrder, question: str, actor: Actor = None, target: str = "center"
) -> WorkOrder:
    """The unit asks the center for information; the work order waits for the answer.

    target="center": the case comes back to the center ("in progress", SLA clock running).
    target="customer": the case waits for the customer (SLA clock paused) and the customer
    gets the "need_info" message with the question."""
    require_visible(actor, work_order)
    if target not in INFO_TARGETS:
        raise DomainError(_("Nơi hỏi không hợp lệ: %(t)s") % {"t": target}, code="bad_target")
    question = clean(question, what=_("câu hỏi"))
    wo = lock(work_order)
    require_open(wo)
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
    journal(
        wo,
        "info_requested",
        actor=actor,
        body=question,
        case_body=case_body,
        data={"target": target},
        at=now,
    )
    move_case(wo.case, to, actor=actor, note=case_body)
    return wo


@transaction.atomic
def complete(
    *,
    work_order: WorkOrder,
    resolution: str,
    actor: Actor = None,
    photos: Iterable[Upload] | None = None,
) -> WorkOrder:
    """Done in the field: resolution text, optional photos; the case is resolved."""
    require_visible(actor, work_order)
    resolution = clean(resolution, what=_("kết quả xử lý"))
    files = uploads.validate_uploads(photos)
    wo = lock(work_order)
    require_open(wo)
    if wo.status == S.SENT:
        raise Conflict(
            _("Hãy nhận phiếu %(c)s trước khi báo hoàn thành.") % {"c": wo.code},
            code="not_accepted",
        )
    now = timezone.now()
    stored: list[str] = []
    try:
        states.move(wo, S.DONE)
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
        atts = uploads.store_files(
            wo, files, actor=actor, purpose=Attachment.Purpose.RESULT, now=now, stored=stored
        )
        case_body = _("%(u)s hoàn thành %(c)s: %(r)s") % {
            "u": wo.unit.name,
            "c": wo.code,
            "r": resolution,
        }
        journal(
            wo,
            "done",
            actor=actor,
            body=resolution,
            case_body=case_body,
            data={"photos": [a.pk for a in atts]},
            at=now,
        )
        # before the case is resolved: reactions (cx survey) see the field visit first
        hooks.run("work_order_completed", work_order=wo, actor=actor)
        move_case(wo.case, Status.RESOLVED, actor=actor, note=resolution)
    except BaseException:
        uploads.discard(stored)
        raise
    return wo


@transaction.atomic
def reject(*, work_order: WorkOrder, reason: str, actor: Actor = None) -> WorkOrder:
    """The unit returns a work order that is not theirs; the center redispatches it."""
    require_visible(actor, work_order)
    reason = clean(reason, what=_("lý do trả lại"), max_len=REASON_MAX)
    wo = lock(work_order)
    require_open(wo)
    if wo.status == S.IN_PROGRESS:
        raise Conflict(
            _("Phiếu đang xử lý hiện trường, không thể trả lại."), code="already_started"
        )
    return close(wo, S.REJECTED, reason=reason, actor=actor, kind="rejected")
