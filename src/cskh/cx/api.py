"""GET /api/v1/cx/csat and /api/v1/cx/nps: results per group from the rollups."""

from datetime import date
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from cskh.core.errors import DomainError, Forbidden
from cskh.cx import selectors
from cskh.org import permissions

router = Router(tags=["cx"])

GroupBy = Literal["agent", "team", "unit", "office", "channel", "case_type", "touchpoint", "month"]


class ResultItem(Schema):
    key: str
    label: str
    responses: int
    sent: int
    response_rate: float
    score: float
    ci_low: float
    ci_high: float


class Filters(Schema):
    group_by: GroupBy = "month"
    from_: date | None = Field(None, alias="from")
    to: date | None = None


class Results(Schema):
    kind: str
    group_by: str
    items: list[ResultItem]


def _results(request, kind: str, filters: Filters) -> dict:
    group_by, start, end = filters.group_by, filters.from_, filters.to
    if not permissions.can_view_cx_results(request.auth):
        raise Forbidden(_("Chỉ trưởng ca, quản lý xem được kết quả khảo sát."))
    if start and end and start > end:
        raise DomainError(_("Ngày bắt đầu phải trước ngày kết thúc."), code="bad_range")
    items = selectors.results(kind=kind, group_by=group_by, start=start, end=end)
    return {"kind": kind, "group_by": group_by, "items": items}


@router.get(
    "/csat",
    response=Results,
    summary="CSAT (% câu trả lời 4–5) theo nhóm, khoảng tin cậy Wilson 95%",
)
def csat(request, filters: Query[Filters]):
    return _results(request, "csat", filters)


@router.get(
    "/nps",
    response=Results,
    summary="NPS (% 9–10 trừ % 0–6) theo nhóm, khoảng tin cậy 95%",
)
def nps(request, filters: Query[Filters]):
    return _results(request, "nps", filters)
