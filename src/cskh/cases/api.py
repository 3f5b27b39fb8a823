from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cskh.cases import selectors, services
from cskh.cases.models import Case
from cskh.cases.states import Status as CaseStatus
from cskh.catalog.services import get_case_type
from cskh.core import hooks
from cskh.core.errors import DomainError, Forbidden, NotFound
from cskh.core.schemas import ErrorOut
from cskh.customers import selectors as customer_selectors
from cskh.org import permissions

router = Router(tags=["cases"])

MAX_TEXT = 20_000


class CaseIn(Schema):
    customer_id: int | None = None
    phone: str | None = Field(None, max_length=40)
    type: str = Field(..., max_length=32)
    description: str = Field(..., max_length=MAX_TEXT)
    channel: str = "api"
    priority: int | None = Field(None, ge=1, le=4)
    subject: str = Field("", max_length=200)
    service_point: str | None = Field(None, max_length=40)


class CaseOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    type: str
    type_name: str
    customer_id: int
    customer_name: str
    channel: str
    priority: int
    subject: str
    description: str
    unit: str | None
    unit_name: str | None
    assigned_to: str | None
    due_at: datetime | None
    first_response_due_at: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    allowed_transitions: list[str]


class CaseList(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class TransitionIn(Schema):
    to: str = Field(..., max_length=32)
    note: str = Field("", max_length=MAX_TEXT)


class NoteIn(Schema):
    body: str = Field(..., max_length=MAX_TEXT)
    public: bool = False


class EventOut(Schema):
    id: int
    kind: str
    public: bool
    body: str
    data: dict
    actor: str | None
    created_at: datetime


def to_out(c: Case) -> dict:
    from cskh.cases.states import allowed

    return {
        "id": c.id,
        "number": c.number,
        "status": c.status,
        "status_label": str(CaseStatus(c.status).label),
        "type": c.case_type.code,
        "type_name": c.case_type.name,
        "customer_id": c.customer_id,
        "customer_name": c.customer.full_name,
        "channel": c.channel,
        "priority": c.priority,
        "subject": c.subject,
        "description": c.description,
        "unit": c.unit.code if c.unit else None,
        "unit_name": c.unit.name if c.unit else None,
        "assigned_to": c.assigned_agent.username if c.assigned_agent else None,
        "due_at": c.due_at,
        "first_response_due_at": c.first_response_due_at,
        "created_at": c.created_at,
        "resolved_at": c.resolved_at,
        "allowed_transitions": sorted(allowed(c.status)),
    }


@router.post(
    "",
    response={201: CaseOut, 403: ErrorOut, 404: ErrorOut},
    summary="Tạo yêu cầu",
)
def create_case(request, payload: CaseIn):
    user = request.auth
    if not permissions.can_work_cases(user):
        raise Forbidden(_("Nhân viên đơn vị không tạo yêu cầu qua API này."))
    if payload.customer_id:
        customer = customer_selectors.get_for_intake(payload.customer_id)
        if customer is None:
            raise NotFound(_("Không tìm thấy khách hàng %(id)s.") % {"id": payload.customer_id})
    elif payload.phone:
        matches = customer_selectors.find_by_phone_for_intake(payload.phone)
        if not matches:
            from cskh.core.phones import to_e164

            to_e164(payload.phone)  # malformed numbers get their own message
            raise NotFound(_("Không có khách hàng với số %(p)s.") % {"p": payload.phone})
        customer = matches[0]
    else:
        raise DomainError(_("Cần customer_id hoặc phone."), code="missing_customer")
    case_type = get_case_type(payload.type)
    service_point = None
    if payload.service_point:
        service_point = customer.service_points.filter(code=payload.service_point).first()
        if service_point is None:
            raise DomainError(
                _("Điểm dịch vụ không thuộc khách hàng này."), code="bad_service_point"
            )
    case = services.open_case(
        customer=customer,
        case_type=case_type,
        description=payload.description,
        channel=payload.channel,
        priority=payload.priority,
        subject=payload.subject,
        service_point=service_point,
        actor=user,
    )
    return Status(201, to_out(case))  # hooks keep `case` current (priority, due times)


@router.get("", response=CaseList, summary="Danh sách yêu cầu (phân trang theo con trỏ)")
def list_cases(
    request,
    status: str | None = None,
    type: str | None = None,
    unit: str | None = None,
    channel: str | None = None,
    customer_id: int | None = None,
    open: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
    order: str = "-id",
):
    if status and status not in CaseStatus.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": status}, code="bad_status")
    orders = {"-id": ("-id",), "due_at": ("due_at", "id")}
    if order not in orders:
        raise DomainError(_("Cách sắp xếp không hợp lệ."), code="bad_order")
    rows, next_cursor = selectors.list_cases(
        request.auth,
        status=status,
        type_code=type,
        unit=unit,
        channel=channel,
        customer_id=customer_id,
        is_open=open,
        cursor=cursor,
        limit=max(1, min(limit, 200)),
        order=orders[order],
    )
    if customer_id is not None:  # a customer's cases: audit of reads (the privacy app listens)
        hooks.run(
            "customer_read",
            user=request.auth,
            customer_ids=[customer_id],
            action="view",
            detail="api:cases",
        )
    return {"items": [to_out(c) for c in rows], "next_cursor": next_cursor}


@router.get("/{number}", response=CaseOut)
def get_case(request, number: str):
    return to_out(selectors.get_for_user(request.auth, number))


@router.get("/{number}/events", response=list[EventOut])
def case_events(request, number: str):
    case = selectors.get_for_user(request.auth, number)
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "public": e.public,
            "body": e.body,
            "data": e.data,
            "actor": e.actor.username if e.actor else None,
            "created_at": e.created_at,
        }
        for e in selectors.timeline(case)
    ]


def _changeable(request, number: str) -> Case:
    """A case the user may see (else 404) and change (else 403): the desk's rule."""
    case = selectors.get_for_user(request.auth, number)
    if not permissions.can_change_case(request.auth, case):
        raise Forbidden(
            _("Chỉ trung tâm CSKH được thay đổi yêu cầu (đơn vị: qua phiếu giao việc).")
        )
    return case


@router.post("/{number}/transitions", response=CaseOut)
def transition(request, number: str, payload: TransitionIn):
    case = _changeable(request, number)
    case = services.transition(case=case, to=payload.to, note=payload.note, actor=request.auth)
    return to_out(selectors.get_for_user(request.auth, case.number))


@router.post("/{number}/notes", response={201: EventOut})
def add_note(request, number: str, payload: NoteIn):
    case = _changeable(request, number)
    e = services.add_note(case=case, body=payload.body, public=payload.public, actor=request.auth)
    return Status(
        201,
        {
            "id": e.id,
            "kind": e.kind,
            "public": e.public,
            "body": e.body,
            "data": e.data,
            "actor": request.auth.username,
            "created_at": e.created_at,
        },
    )
