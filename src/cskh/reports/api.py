"""GET /api/v1/reports/{code}: a standard report as JSON (the same figures as the page),
from the rollup tables; GET /api/v1/reports/wallboard: the wallboard's tiles."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from cskh.core import exports
from cskh.core.errors import Forbidden, NotFound
from cskh.org import permissions
from cskh.reports import selectors

router = Router(tags=["reports"])


class ReportFilters(Schema):
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    unit: int | None = None
    team: int | None = None
    channel: str | None = None
    type: int | None = None


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class ReportOut(Schema):
    code: str
    title: str
    start: date
    end: date
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]


class TileOut(Schema):
    key: str
    label: str
    value: float | int | str
    unit: str
    level: str


class WallboardOut(Schema):
    tiles: list[TileOut]
    agents_by_state: dict[str, int]
    alerts: list[str]


@router.get("/wallboard", response=WallboardOut)
def wallboard(request: Any) -> dict[str, Any]:
    if not permissions.can_view_wallboard(request.auth):
        raise Forbidden(_("Chỉ trưởng ca và quản lý xem được bảng tường."))
    data = selectors.wallboard(request.auth)
    return {
        "tiles": [
            {"key": k, "label": str(label), "value": v, "unit": u, "level": lvl}
            for k, label, v, u, lvl in data["tiles"]
        ],
        "agents_by_state": {s: n for s, _label, n, _lvl in data["states"]},
        "alerts": data["alerts"],
    }


@router.get("/{code}", response=ReportOut)
def report(request: Any, code: str, filters: Query[ReportFilters]) -> dict[str, Any]:
    user = request.auth
    if not permissions.can_view_reports(user):
        raise Forbidden(_("Bạn không có quyền xem báo cáo."))
    if code not in selectors.REPORTS:
        raise NotFound(_("Không có báo cáo này."))
    f = selectors.filters_for(
        user,
        start=filters.from_,
        end=filters.to,
        unit_id=filters.unit,
        team_id=filters.team,
        channel=filters.channel,
        case_type_id=filters.type,
    )
    rep = selectors.report(code, user=user, filters=f)
    return {
        "code": rep.code,
        "title": str(rep.title),
        "start": f.start,
        "end": f.end,
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in rep.columns],
        "rows": [{k: exports.json_value(v) for k, v in r.items()} for r in rep.rows],
    }
