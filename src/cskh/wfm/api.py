"""REST API of workforce management: /api/v1/wfm (the staffing calculator)."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from cskh.core.errors import DomainError, Forbidden
from cskh.org import permissions
from cskh.wfm import erlang

router = Router(tags=["wfm"])


class ErlangIn(Schema):
    model: str = Field("c", description="c = Erlang C, a = Erlang A")
    calls: float = Field(..., description="cuộc gọi đến trong khoảng")
    interval_minutes: float = 30
    aht_seconds: float
    agents: int
    target_seconds: float = 20
    patience_seconds: float | None = None


class StaffingIn(Schema):
    model: str = Field("c", description="c = Erlang C, a = Erlang A")
    calls: float
    interval_minutes: float = 30
    aht_seconds: float
    target_seconds: float = 20
    service_level: float = 0.8
    max_occupancy: float = 0.85
    shrinkage: float = 0.0
    patience_seconds: float | None = None


class ErlangOut(Schema):
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float
    p_abandon: float | None


class StaffingOut(Schema):
    agents: int
    rostered: int
    service_level: float
    occupancy: float
    asa_seconds: float
    p_abandon: float | None


def _check(request) -> None:
    if not permissions.can_use_staffing_calculator(request.auth):
        raise Forbidden(_("Chỉ quản lý, trưởng ca mới dùng được công cụ tính nhân lực."))


def _interval(minutes: float) -> float:
    if not minutes > 0 or minutes > 24 * 60:
        raise DomainError(
            _("Độ dài khoảng thời gian phải từ trên 0 đến 1440 phút."), code="bad_parameters"
        )
    return minutes * 60


@router.get("/erlang", response=ErlangOut, summary="Erlang C / Erlang A cho một khoảng")
def erlang_metrics(request, params: Query[ErlangIn]):
    _check(request)
    try:
        m = erlang.metrics(
            model=params.model,
            calls=params.calls,
            interval_seconds=_interval(params.interval_minutes),
            aht_seconds=params.aht_seconds,
            agents=params.agents,
            target_seconds=params.target_seconds,
            patience_seconds=params.patience_seconds,
        )
    except erlang.ErlangError as exc:
        raise DomainError(str(exc), code="bad_parameters") from exc
    return ErlangOut(
        p_wait=m.p_wait,
        service_level=m.service_level,
        asa_seconds=m.asa_seconds,
        occupancy=m.occupancy,
        p_abandon=m.p_abandon,
    )


@router.get("/staffing", response=StaffingOut, summary="Số tư vấn viên cần cho mức phục vụ")
def staffing(request, params: Query[StaffingIn]):
    _check(request)
    try:
        s = erlang.staffing(
            model=params.model,
            calls=params.calls,
            interval_seconds=_interval(params.interval_minutes),
            aht_seconds=params.aht_seconds,
            target_seconds=params.target_seconds,
            service_level=params.service_level,
            max_occupancy=params.max_occupancy,
            shrinkage=params.shrinkage,
            patience_seconds=params.patience_seconds,
        )
    except erlang.ErlangError as exc:
        raise DomainError(str(exc), code="bad_parameters") from exc
    m = s.metrics
    return StaffingOut(
        agents=s.agents,
        rostered=s.rostered,
        service_level=m.service_level,
        occupancy=m.occupancy,
        asa_seconds=m.asa_seconds,
        p_abandon=m.p_abandon,
    )
