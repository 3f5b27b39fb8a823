"""REST API for incidents: /api/v1/incidents."""

from datetime import datetime

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cskh.core.errors import DomainError, NotFound
from cskh.incidents import selectors, states
from cskh.incidents.models import Incident
from cskh.incidents.services import lifecycle, links
from cskh.org import permissions

router = Router(tags=["incidents"])


class ScopeIn(Schema):
    transformers: list[str] = Field(default_factory=list, max_length=5000)
    feeders: list[str] = Field(default_factory=list, max_length=1000)
    wards: list[int] = Field(default_factory=list, max_length=1000)
    service_points: list[str] = Field(default_factory=list, max_length=5000)


class IncidentIn(Schema):
    kind: str = Field("unplanned_outage", max_length=20)
    title: str = Field(..., max_length=200)
    scope: ScopeIn
    status: str = Field("confirmed", max_length=12)
    started_at: datetime | None = None
    eta: datetime | None = None
    public_message: str = Field("", max_length=2000)
    reason: str = Field("", max_length=300)
    unit: str | None = Field(None, max_length=32)


class TransitionIn(Schema):
    to: str = Field(..., max_length=12)
    note: str = Field("", max_length=2000)
    eta: datetime | None = None
    merge_into: int | None = None
    public_message: str | None = Field(None, max_length=2000)


class UpdateIn(Schema):
    eta: datetime | None = None
    public_message: str | None = Field(None, max_length=2000)
    title: str | None = Field(None, max_length=200)
    note: str = Field("", max_length=2000)


class LinkIn(Schema):
    case: str = Field(..., max_length=24)


class ScopeOut(Schema):
    level: str
    code: str
    ward: int | None
    ward_name: str | None


class MessageProgressOut(Schema):
    template: str
    label: str
    customers: int
    handed: int
    batches: int
    batches_sent: int
    sent: int
    pending: int
    failed: int
    skipped: int


class ProgressOut(Schema):
    """Totals over the incident's messages; `messages` has one row per message."""

    total: int
    enqueued: int
    batches: int
    batches_sent: int
    sent: int
    pending: int
    failed: int
    skipped: int
    messages: list[MessageProgressOut] = []


class IncidentOut(Schema):
    id: int
    code: str
    kind: str
    status: str
    status_label: str
    title: str
    public_message: str
    reason: str
    level: str
    unit: str | None
    unit_name: str | None
    started_at: datetime
    ends_at: datetime | None
    eta: datetime | None
    confirmed_at: datetime | None
    resolved_at: datetime | None
    first_case_at: datetime | None
    threshold_at: datetime | None
    merged_into: int | None
    short_notice: bool
    cases_resolved: int
    allowed_transitions: list[str]


class IncidentDetail(IncidentOut):
    scopes: list[ScopeOut]
    cases: dict
    notifications: ProgressOut


class IncidentList(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class EventOut(Schema):
    id: int
    kind: str
    body: str
    data: dict
    actor: str | None
    created_at: datetime


class LinkedCaseOut(Schema):
    number: str
    status: str
    type: str
    customer_id: int
    service_point: str | None
    how: str
    linked_at: datetime


class LinkedCases(Schema):
    items: list[LinkedCaseOut]
    next_cursor: str | None


def to_out(inc: Incident) -> dict:
    return {
        "id": inc.pk,
        "code": inc.code,
        "kind": inc.kind,
        "status": inc.status,
        "status_label": str(Incident.Status(inc.status).label),
        "title": inc.title,
        "public_message": inc.public_message,
        "reason": inc.reason,
        "level": inc.level,
        "unit": inc.unit.code if inc.unit else None,
        "unit_name": inc.unit.name if inc.unit else None,
        "started_at": inc.started_at,
        "ends_at": inc.ends_at,
        "eta": inc.eta,
        "confirmed_at": inc.confirmed_at,
        "resolved_at": inc.resolved_at,
        "first_case_at": inc.first_case_at,
        "threshold_at": inc.threshold_at,
        "merged_into": inc.merged_into_id,
        "short_notice": inc.short_notice,
        "cases_resolved": inc.cases_resolved,
        "allowed_transitions": sorted(states.allowed(inc.status)),
    }


def to_detail(inc: Incident) -> dict:
    return {
        **to_out(inc),
        "scopes": [
            {
                "level": s.level,
                "code": s.code,
                "ward": s.ward_id,
                "ward_name": s.ward.name if s.ward else None,
            }
            for s in selectors.scopes(inc)
        ],
        "cases": selectors.case_counts(inc),
        "notifications": selectors.notify_progress(inc),
    }


def _ward_id(ward: str | None) -> int | None:
    if not ward:
        return None
    ward = ward.strip()
    from cskh.geo.models import Ward
    from cskh.geo.selectors import resolve_address

    if ward.isdigit():
        w = Ward.objects.filter(pk=int(ward)).first()
        code = w.pk if w else None
    else:
        resolution = resolve_address(ward)
        if resolution.status == "choice":
            raise DomainError(
                _("Phường/xã chưa rõ, hãy dùng mã: %(c)s")
                % {"c": "; ".join(f"{c.ward_code} = {c.label}" for c in resolution.candidates)},
                code="ward_choice",
            )
        code = resolution.ward_code
    if code is None:
        raise DomainError(_("Không tìm thấy phường/xã: %(w)s") % {"w": ward}, code="bad_ward")
    return code


@router.get("", response=IncidentList, summary="Danh sách sự cố")
def list_incidents(
    request,
    status: str | None = None,
    kind: str | None = None,
    ward: str | None = None,
    unit: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
):
    if status and status not in {"active", "live", *Incident.Status.values}:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": status}, code="bad_status")
    if kind and kind not in Incident.Kind.values:
        raise DomainError(_("Loại sự cố không hợp lệ: %(k)s") % {"k": kind}, code="bad_kind")
    rows, next_cursor = selectors.list_incidents(
        request.auth,
        status=status,
        kind=kind,
        ward_id=_ward_id(ward),
        unit_code=unit,
        cursor=cursor,
        limit=max(1, min(limit, 200)),
    )
    return {"items": [to_out(i) for i in rows], "next_cursor": next_cursor}


@router.post("", response={201: IncidentDetail}, summary="Tạo sự cố")
def create_incident(request, payload: IncidentIn):
    unit = None
    if payload.unit:
        from cskh.org.models import Unit

        unit = Unit.objects.filter(code=payload.unit).first()
        if unit is None:
            raise DomainError(
                _("Đơn vị không tồn tại: %(u)s") % {"u": payload.unit}, code="bad_unit"
            )
    inc = lifecycle.create_incident(
        kind=payload.kind,
        title=payload.title,
        scope=payload.scope.dict(),
        status=payload.status,
        started_at=payload.started_at,
        eta=payload.eta,
        public_message=payload.public_message,
        reason=payload.reason,
        unit=unit,
        actor=request.auth,
    )
    return Status(201, to_detail(selectors.get_for_user(request.auth, inc.pk)))


@router.get("/{incident_id}", response=IncidentDetail, summary="Chi tiết sự cố")
def get_incident(request, incident_id: int):
    return to_detail(selectors.get_for_user(request.auth, incident_id))


@router.patch("/{incident_id}", response=IncidentDetail, summary="Sửa thời gian dự kiến/thông báo")
def update_incident(request, incident_id: int, payload: UpdateIn):
    inc = selectors.get_for_user(request.auth, incident_id)
    lifecycle.update_incident(
        incident=inc,
        actor=request.auth,
        eta=payload.eta,
        public_message=payload.public_message,
        title=payload.title,
        note=payload.note,
    )
    return to_detail(selectors.get_for_user(request.auth, incident_id))


@router.post("/{incident_id}/transitions", response=IncidentDetail, summary="Đổi trạng thái")
def transition(request, incident_id: int, payload: TransitionIn):
    inc = selectors.get_for_user(request.auth, incident_id)
    target = None
    if payload.merge_into is not None:
        target = selectors.get_for_user(request.auth, payload.merge_into)
    lifecycle.transition(
        incident=inc,
        to=payload.to,
        actor=request.auth,
        note=payload.note,
        eta=payload.eta,
        merge_into=target,
        public_message=payload.public_message,
    )
    return to_detail(selectors.get_for_user(request.auth, incident_id))


@router.get("/{incident_id}/cases", response=LinkedCases, summary="Yêu cầu thuộc sự cố")
def incident_cases(request, incident_id: int, cursor: str | None = None, limit: int = 100):
    inc = selectors.get_for_user(request.auth, incident_id)
    rows, next_cursor = selectors.linked_cases(inc, cursor=cursor, limit=max(1, min(limit, 500)))
    return {
        "items": [
            {
                "number": r.case.number,
                "status": r.case.status,
                "type": r.case.case_type.code,
                "customer_id": r.customer_id,
                "service_point": r.case.service_point.code if r.case.service_point else None,
                "how": r.how,
                "linked_at": r.linked_at,
            }
            for r in rows
        ],
        "next_cursor": next_cursor,
    }


@router.post("/{incident_id}/cases", response={201: dict}, summary="Gắn yêu cầu vào sự cố")
def link_case(request, incident_id: int, payload: LinkIn):
    from cskh.cases.selectors import get_for_user as get_case

    inc = selectors.get_for_user(request.auth, incident_id)
    case = get_case(request.auth, payload.case)
    linked = lifecycle.link_case(incident=inc, case=case, actor=request.auth)
    return Status(201, {"linked": linked})


class SubscribeIn(Schema):
    customer_id: int


@router.post(
    "/{incident_id}/subscribers", response={201: dict}, summary="Khách hàng đăng ký nhận tin"
)
def subscribe(request, incident_id: int, payload: SubscribeIn):
    """The customer asked to be informed (ETA changes, restoration), e.g. via IVR or Zalo."""
    from cskh.customers.selectors import get as get_customer

    inc = selectors.get_for_user(request.auth, incident_id)
    customer = get_customer(payload.customer_id)
    if customer is None or not permissions.can_view_customer(request.auth, customer):
        raise NotFound(_("Không tìm thấy khách hàng %(id)s.") % {"id": payload.customer_id})
    created = links.subscribe(incident=inc, customer=customer, actor=request.auth)
    return Status(201, {"subscribed": True, "created": created})


@router.get("/{incident_id}/events", response=list[EventOut], summary="Dòng thời gian sự cố")
def incident_events(request, incident_id: int):
    inc = selectors.get_for_user(request.auth, incident_id)
    return [
        {
            "id": e.id,
            "kind": e.kind,
            "body": e.body,
            "data": e.data,
            "actor": e.actor.username if e.actor else None,
            "created_at": e.created_at,
        }
        for e in selectors.timeline(inc)
    ]


@router.get(
    "/for-customer/{customer_id}", response=list[IncidentOut], summary="Sự cố của khách hàng"
)
def for_customer(request, customer_id: int):
    from cskh.customers.selectors import get as get_customer

    customer = get_customer(customer_id)
    if customer is None or not permissions.can_view_customer(request.auth, customer):
        raise NotFound(_("Không tìm thấy khách hàng %(id)s.") % {"id": customer_id})
    incidents = selectors.active_incidents_for_customer(customer)
    prefetch_related_objects(incidents, "unit")  # to_out shows it (the desk banner does not)
    return [to_out(i) for i in incidents if permissions.can_view_incident(request.auth, i)]
