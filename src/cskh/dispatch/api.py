"""Work order API, mounted at /api/v1/dispatch. Errors: 4xx {"detail", "code"}, nothing changed."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from cskh.core.errors import Forbidden, NotFound
from cskh.dispatch import selectors
from cskh.dispatch.models import WorkOrder
from cskh.dispatch.services import center, field
from cskh.org import permissions
from cskh.org.models import Unit

router = Router(tags=["dispatch"])

MAX_TEXT = 20_000


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    purpose: str
    url: str


class WorkOrderOut(Schema):
    id: int
    code: str
    case_number: str
    case_type: str
    status: str
    status_label: str
    is_active: bool
    overdue: bool
    unit: str
    unit_name: str
    customer_name: str
    address: str
    ward_name: str
    service_point_code: str
    network_position: str
    contact_phone: str
    description: str
    instructions: str
    expected_at: datetime | None
    info_requested: bool
    resolution: str
    reason: str
    previous_id: int | None
    created_at: datetime
    accepted_at: datetime | None
    started_at: datetime | None
    done_at: datetime | None


class WorkOrderDetail(WorkOrderOut):
    attachments: list[AttachmentOut]


class WorkOrderList(Schema):
    items: list[WorkOrderOut]
    next_cursor: str | None


class EventOut(Schema):
    id: int
    kind: str
    body: str
    data: dict
    actor: str | None
    created_at: datetime


class DispatchIn(Schema):
    unit: str | None = Field(None, max_length=32, description="Mã đơn vị; bỏ trống: theo quy tắc")
    instructions: str = Field("", max_length=MAX_TEXT)
    expected_at: datetime | None = None


class NoteIn(Schema):
    body: str = Field("", max_length=MAX_TEXT)
    on_the_way: bool = False


class AcceptIn(Schema):
    note: str = Field("", max_length=MAX_TEXT)


class InfoIn(Schema):
    question: str = Field(..., max_length=MAX_TEXT)
    target: str = Field("center", max_length=16, description="center | customer")


class AnswerIn(Schema):
    answer: str = Field(..., max_length=MAX_TEXT)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class RedispatchIn(Schema):
    unit: str = Field(..., max_length=32)
    reason: str = Field(..., max_length=500)
    instructions: str | None = Field(None, max_length=MAX_TEXT)
    expected_at: datetime | None = None


class BacklogRow(Schema):
    unit: str
    unit_name: str
    open: int
    new: int
    overdue: int
    info: int


def to_out(wo: WorkOrder, *, now: datetime | None = None, detail: bool = False) -> dict:
    now = now or timezone.now()
    out = {
        "id": wo.pk,
        "code": wo.code,
        "case_number": wo.case.number,
        "case_type": wo.case.case_type.code,
        "status": wo.status,
        "status_label": str(WorkOrder.Status(wo.status).label),
        "is_active": wo.is_active,
        "overdue": bool(wo.is_active and wo.expected_at and wo.expected_at < now),
        "unit": wo.unit.code,
        "unit_name": wo.unit.name,
        "customer_name": wo.customer_name,
        "address": wo.address,
        "ward_name": wo.ward_name,
        "service_point_code": wo.service_point_code,
        "network_position": wo.network_position,
        "contact_phone": wo.contact_phone,
        "description": wo.description,
        "instructions": wo.instructions,
        "expected_at": wo.expected_at,
        "info_requested": wo.info_requested,
        "resolution": wo.resolution,
        "reason": wo.reason,
        "previous_id": wo.previous_id,
        "created_at": wo.created_at,
        "accepted_at": wo.accepted_at,
        "started_at": wo.started_at,
        "done_at": wo.done_at,
    }
    if detail:
        out["attachments"] = [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "purpose": a.purpose,
                "url": f"/portal/wo/{wo.pk}/files/{a.pk}",
            }
            for a in selectors.attachments(wo)
        ]
    return out


def _detail(request, wo_id: int) -> dict:
    return to_out(selectors.get_for_user(request.auth, wo_id), detail=True)


def _unit(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise NotFound(_("Không tìm thấy đơn vị %(u)s.") % {"u": code}, code="unknown_unit")
    return unit


@router.get("/work-orders", response=WorkOrderList, summary="Danh sách phiếu giao việc")
def list_work_orders(
    request,
    state: str = "open",
    status: str | None = None,
    unit: str | None = None,
    case: str | None = None,
    order: str = "-id",
    cursor: str | None = None,
    limit: int = 50,
):
    rows, next_cursor = selectors.list_for_user(
        request.auth,
        state=state,
        status=status,
        unit=unit,
        case_number=case,
        order=order,
        cursor=cursor,
        limit=limit,
    )
    now = timezone.now()
    return {"items": [to_out(w, now=now) for w in rows], "next_cursor": next_cursor}


@router.get("/work-orders/{wo_id}", response=WorkOrderDetail, summary="Chi tiết phiếu giao việc")
def get_work_order(request, wo_id: int):
    return _detail(request, wo_id)


@router.get("/work-orders/{wo_id}/events", response=list[EventOut])
def work_order_events(request, wo_id: int):
    wo = selectors.get_for_user(request.auth, wo_id)
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "body": e.body,
            "data": e.data,
            "actor": e.actor.username if e.actor else None,
            "created_at": e.created_at,
        }
        for e in selectors.events(wo)
    ]


@router.post(
    "/cases/{number}/dispatch", response={201: WorkOrderDetail}, summary="Điều phối yêu cầu"
)
def dispatch_case(request, number: str, payload: DispatchIn):
    from cskh.cases import selectors as case_selectors

    if not permissions.can_coordinate(request.auth):
        raise Forbidden(_("Chỉ trung tâm CSKH được điều phối phiếu giao việc."))
    case = case_selectors.get_for_user(request.auth, number)
    wo = center.dispatch_case(
        case=case,
        unit=_unit(payload.unit),
        instructions=payload.instructions,
        expected_at=payload.expected_at,
        actor=request.auth,
    )
    return Status(201, _detail(request, wo.pk))


@router.post("/work-orders/{wo_id}/accept", response=WorkOrderDetail, summary="Đơn vị nhận phiếu")
def accept(request, wo_id: int, payload: AcceptIn | None = None):
    wo = selectors.get_for_user(request.auth, wo_id)
    field.accept(work_order=wo, actor=request.auth, note=payload.note if payload else "")
    return _detail(request, wo_id)


@router.post("/work-orders/{wo_id}/progress", response=WorkOrderDetail, summary="Ghi tiến độ")
def progress(request, wo_id: int, payload: NoteIn):
    wo = selectors.get_for_user(request.auth, wo_id)
    field.add_progress_note(
        work_order=wo, body=payload.body, on_the_way=payload.on_the_way, actor=request.auth
    )
    return _detail(request, wo_id)


@router.post("/work-orders/{wo_id}/request-info", response=WorkOrderDetail, summary="Hỏi thêm")
def request_info(request, wo_id: int, payload: InfoIn):
    wo = selectors.get_for_user(request.auth, wo_id)
    field.request_info(
        work_order=wo, question=payload.question, target=payload.target, actor=request.auth
    )
    return _detail(request, wo_id)


@router.post("/work-orders/{wo_id}/provide-info", response=WorkOrderDetail, summary="Trả lời")
def provide_info(request, wo_id: int, payload: AnswerIn):
    wo = selectors.get_for_user(request.auth, wo_id)
    center.provide_info(work_order=wo, answer=payload.answer, actor=request.auth)
    return _detail(request, wo_id)


@router.post(
    "/work-orders/{wo_id}/complete",
    response=WorkOrderDetail,
    summary="Báo hoàn thành (multipart: resolution, photos)",
)
def complete(
    request,
    wo_id: int,
    resolution: Form[str],
    photos: File[list[UploadedFile] | None] = None,
):
    wo = selectors.get_for_user(request.auth, wo_id)
    field.complete(work_order=wo, resolution=resolution, photos=photos or [], actor=request.auth)
    return _detail(request, wo_id)


@router.post("/work-orders/{wo_id}/reject", response=WorkOrderDetail, summary="Đơn vị trả lại")
def reject(request, wo_id: int, payload: ReasonIn):
    wo = selectors.get_for_user(request.auth, wo_id)
    field.reject(work_order=wo, reason=payload.reason, actor=request.auth)
    return _detail(request, wo_id)


@router.post("/work-orders/{wo_id}/cancel", response=WorkOrderDetail, summary="Hủy phiếu")
def cancel(request, wo_id: int, payload: ReasonIn):
    wo = selectors.get_for_user(request.auth, wo_id)
    center.cancel(work_order=wo, reason=payload.reason, actor=request.auth)
    return _detail(request, wo_id)


@router.post(
    "/work-orders/{wo_id}/redispatch",
    response={201: WorkOrderDetail},
    summary="Chuyển đơn vị khác (bắt buộc lý do)",
)
def redispatch(request, wo_id: int, payload: RedispatchIn):
    wo = selectors.get_for_user(request.auth, wo_id)
    if not permissions.can_coordinate(request.auth):
        raise Forbidden(_("Chỉ trung tâm CSKH được điều phối phiếu giao việc."))
    new = center.redispatch(
        work_order=wo,
        unit=_unit(payload.unit),
        reason=payload.reason,
        instructions=payload.instructions,
        expected_at=payload.expected_at,
        actor=request.auth,
    )
    return Status(201, _detail(request, new.pk))


@router.get("/backlog", response=list[BacklogRow], summary="Tồn đọng theo đơn vị (trưởng ca)")
def backlog(request):
    if not permissions.can_supervise(request.auth):
        raise Forbidden(_("Chỉ trưởng ca / quản lý xem tồn đọng các đơn vị."))
    return [
        {
            "unit": r["unit"].code,
            "unit_name": r["unit"].name,
            "open": r["open"],
            "new": r["new"],
            "overdue": r["overdue"],
            "info": r["info"],
        }
        for r in selectors.backlog(request.auth)
    ]
