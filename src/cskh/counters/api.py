"""GET /api/v1/counters/figures, /offices, /offices/{code}/slots and POST call-next: typed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from cskh.core.errors import DomainError, Forbidden, NotFound
from cskh.counters import selectors, services
from cskh.counters.models import Counter, Service
from cskh.org import permissions

router = Router(tags=["counters"])

GroupBy = Literal["office", "counter", "service", "month", "hour"]


class FigureItem(Schema):
    key: str
    label: str
    tickets: int
    served: int
    no_show: int
    no_show_rate: float
    wait_median: float | None = Field(None, description="phút")
    wait_p90: float | None = Field(None, description="phút")
    service_median: float | None = Field(None, description="phút")
    service_p90: float | None = Field(None, description="phút")


class FigureFilters(Schema):
    group_by: GroupBy = "office"
    office: str | None = None
    from_: date | None = Field(None, alias="from")
    to: date | None = None


class Figures(Schema):
    group_by: str
    start: date
    end: date
    items: list[FigureItem]


@router.get(
    "/figures",
    response=Figures,
    summary="Số phiếu, thời gian chờ (trung vị, P90), thời gian phục vụ, vắng mặt",
)
def figures(request, filters: Query[FigureFilters]):
    user = request.auth
    if not permissions.can_view_counter_figures(user):
        raise Forbidden(_("Bạn không xem được số liệu quầy giao dịch."))
    d_from, d_to = selectors.default_range(timezone.localdate())
    start, end = filters.from_ or d_from, filters.to or d_to
    if start > end:
        raise DomainError(_("Ngày bắt đầu phải trước ngày kết thúc."), code="bad_range")
    offices = selectors.figure_offices_for(user)
    if filters.office:
        offices = offices.filter(code=filters.office)
        if not offices.exists():
            raise NotFound(_("Không tìm thấy phòng giao dịch."))
    items = selectors.figures(offices=offices, start=start, end=end, group_by=filters.group_by)
    return {"group_by": filters.group_by, "start": start, "end": end, "items": items}


class OfficeOut(Schema):
    code: str
    name: str
    address: str
    unit: str
    counters: list[int]
    services: list[str]


@router.get("/offices", response=list[OfficeOut], summary="Phòng giao dịch bạn vận hành")
def offices(request):
    out = []
    for o in (
        selectors.offices_for(request.auth)
        .select_related("unit")
        .prefetch_related("counters", "services")
    ):
        out.append(
            {
                "code": o.code,
                "name": o.name,
                "address": o.address,
                "unit": o.unit.code,
                "counters": [c.number for c in o.counters.all() if c.is_active],
                "services": [s.letter for s in o.services.all() if s.is_active],
            }
        )
    return out


class SlotOut(Schema):
    start: datetime
    end: datetime
    free: int


@router.get(
    "/offices/{code}/services/{letter}/slots",
    response=list[SlotOut],
    summary="Khung giờ hẹn còn trống của một dịch vụ",
)
def slots(request, code: str, letter: str):
    service = (
        Service.objects.filter(office__code=code, office__is_active=True, letter=letter)
        .select_related("office")
        .first()
    )
    if service is None:
        raise NotFound(_("Không tìm thấy dịch vụ."))
    return selectors.free_slots(service=service)


class TicketOut(Schema):
    id: int
    number: str
    service: str
    state: str
    counter: int | None
    wait_seconds: int | None


@router.post(
    "/offices/{code}/counters/{number}/call-next",
    response={200: TicketOut, 204: None},
    summary="Gọi số tiếp theo về quầy (204: không còn khách chờ)",
)
def call_next(request, code: str, number: int):
    counter = (
        Counter.objects.filter(
            office__in=selectors.offices_for(request.auth),
            office__code=code,
            number=number,
            is_active=True,
        )
        .select_related("office")
        .first()
    )
    if counter is None:
        raise NotFound(_("Không tìm thấy quầy."))
    ticket = services.call_next(counter=counter, actor=request.auth)
    if ticket is None:
        return Status(204, None)
    return Status(
        200,
        {
            "id": ticket.pk,
            "number": ticket.number,
            "service": ticket.service.letter,
            "state": ticket.state,
            "counter": number,
            "wait_seconds": ticket.wait_seconds,
        },
    )
