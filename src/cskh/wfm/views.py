"""Workforce pages for shift leads and managers: forecast vs actual, requirement vs scheduled,
the roster (generate, publish, requests), adherence and occupancy, the storm what-if."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.org.models import User
from cskh.wfm import charts
from cskh.wfm import forecasting as fc
from cskh.wfm import selectors as wfm_selectors
from cskh.wfm.models import Request, Schedule, Shift
from cskh.wfm.services import adherence as adherence_services
from cskh.wfm.services import forecasts, schedules


def staff_name(user: Any) -> str:
    """Vietnamese order: family name first ("Trần Lan")."""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.username


def _guard(request: HttpRequest) -> None:
    if not permissions.can_plan_workforce(request.user):
        raise PermissionDenied


def _day(request: HttpRequest) -> date:
    raw = request.GET.get("day", "")
    try:
        return date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _labels() -> list[str]:
    return [f"{s // 2:02d}:{30 * (s % 2):02d}" for s in range(fc.SLOTS)]


def overview(request: HttpRequest) -> HttpResponse:
    """Forecast vs actual per queue for a day, then requirement vs scheduled heads."""
    _guard(request)
    day = _day(request)
    labels = _labels()
    now = timezone.now()
    queues = []
    forecast_all = schedules.latest_forecasts(day, 1)
    for queue, calls in forecast_all.values():
        mask = forecasts.open_mask(queue)
        actual = forecasts.history(queue, first_day=day, days=1)[0]
        is_today = day == timezone.localdate()
        now_slot = timezone.localtime(now).hour * 2 + (timezone.localtime(now).minute >= 30)
        seen = now_slot if is_today else (fc.SLOTS if day < timezone.localdate() else 0)
        actual_series = [float(actual[s]) if s < seen else None for s in range(fc.SLOTS)]
        series: list[tuple[str, list[float | None]]] = [
            (_("Dự báo"), [float(v) for v in calls[0]]),
            (_("Thực tế"), actual_series),
        ]
        rows = []
        intraday = None
        if is_today and calls[0].sum() > 0:
            intraday = forecasts.intraday(
                queue,
                now=now,
                forecast_day=calls[0],
                scheduled=adherence_services.scheduled_heads(day),
            )
            series.append((_("Dự báo lại"), [None] * fc.SLOTS))
            by_slot = {
                timezone.localtime(r.start).hour * 2 + (timezone.localtime(r.start).minute >= 30): r
                for r in intraday
            }
            series[-1] = (
                _("Dự báo lại"),
                [by_slot[s].reforecast if s in by_slot and s >= seen else None for s in range(48)],
            )
        for s in np.nonzero(mask)[0]:
            rows.append({"label": labels[s], "forecast": calls[0][s], "actual": actual_series[s]})
        queues.append(
            {
                "queue": queue,
                "chart": charts.line_chart(
                    title=_("Dự báo và thực tế — %(q)s") % {"q": queue.name},
                    labels=labels,
                    series=series,
                ),
                "rows": rows,
                "intraday": intraday,
                "shortfall": sum(r.shortfall for r in intraday) if intraday else 0,
            }
        )
    need = schedules.requirement(day, 1, rostered=True)[0]
    have = adherence_services.scheduled_heads(day)
    req_rows = [
        {"label": labels[s], "required": int(need[s]), "scheduled": int(have[s])}
        for s in range(fc.SLOTS)
        if need[s] or have[s]
    ]
    req_chart = charts.line_chart(
        title=_("Nhân lực cần và đã xếp lịch"),
        labels=labels,
        series=[
            (_("Cần (đã tính hao hụt)"), [float(v) for v in need]),
            (_("Đã xếp lịch"), [float(v) for v in have]),
        ],
    )
    return render(
        request,
        "wfm/overview.html",
        {
            "day": day,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "queues": queues,
            "req_chart": req_chart,
            "req_rows": req_rows,
            "nav": "overview",
        },
    )


def _cursor(request: HttpRequest, name: str) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def roster(request: HttpRequest) -> HttpResponse:
    _guard(request)
    schedule = Schedule.objects.order_by("-created_at", "-id").first()
    grid: list[dict[str, Any]] = []
    days: list[date] = []
    next_user: int | None = None
    if schedule is not None:
        days = [
            schedule.first_day + timedelta(days=k)
            for k in range(min(14, (schedule.last_day - schedule.first_day).days + 1))
        ]
        shifts, next_user = wfm_selectors.roster_agents_page(
            schedule_id=schedule.pk, days=days, after_user=_cursor(request, "after")
        )
        by_user: dict[int, dict[str, Any]] = {}
        for sh in shifts:
            row = by_user.setdefault(
                sh.user_id, {"name": staff_name(sh.user), "cells": {}, "hours": 0.0}
            )
            row["cells"][sh.day] = sh.pattern.code + (f" · {sh.queue.code}" if sh.queue else "")
            row["hours"] += sh.pattern.minutes / 60
        for row in by_user.values():
            row["list"] = [row["cells"].get(d, "") for d in days]
            grid.append(row)
    pending = list(
        Request.objects.filter(status=Request.Status.PENDING)
        .select_related("user", "shift__pattern", "swap_with__user")
        .order_by("id")[:100]
    )
    return render(
        request,
        "wfm/roster.html",
        {
            "schedule": schedule,
            "days": days,
            "grid": grid,
            "pending": [(r, staff_name(r.user)) for r in pending],
            "next_user": next_user,
            "nav": "roster",
            "today": timezone.localdate(),
        },
    )


@require_POST
def roster_generate(request: HttpRequest) -> HttpResponse:
    _guard(request)
    try:
        first = date.fromisoformat(request.POST.get("first_day", ""))
        days = int(request.POST.get("days", "7"))
    except ValueError:
        messages.error(request, _("Ngày bắt đầu hoặc số ngày không hợp lệ."))
        return redirect("wfm:roster")
    try:
        schedules.generate(
            first_day=first, days=days, by=request.user, now=timezone.now(), time_limit=20
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Đã lập lịch (bản nháp)."))
    return redirect("wfm:roster")


@require_POST
def roster_publish(request: HttpRequest, schedule_id: int) -> HttpResponse:
    _guard(request)
    schedule = get_object_or_404(Schedule, pk=schedule_id)
    try:
        schedules.publish(schedule=schedule, by=request.user, now=timezone.now())
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Đã công bố lịch cho tư vấn viên."))
    return redirect("wfm:roster")


@require_POST
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    _guard(request)
    req = get_object_or_404(Request, pk=request_id)
    try:
        schedules.decide(
            request=req,
            approve=request.POST.get("decision") == "approve",
            by=request.user,
            now=timezone.now(),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    if request.POST.get("back") == "requests":
        return redirect("wfm:requests")
    return redirect("wfm:roster")


def requests_list(request: HttpRequest) -> HttpResponse:
    """Leave and swap requests for the shift leads, newest first, keyset paged."""
    _guard(request)
    status = request.GET.get("status", "pending")
    page = wfm_selectors.requests_page(status=status, before=_cursor(request, "before"))
    return render(
        request,
        "wfm/requests.html",
        {
            "rows": [(r, staff_name(r.user)) for r in page.rows],
            "next_cursor": page.next_cursor,
            "status": status,
            "statuses": Request.Status.choices,
            "nav": "requests",
        },
    )


@require_POST
def swap_request(request: HttpRequest) -> HttpResponse:
    """An agent asks to swap one of their published shifts with a colleague's."""
    user = request.user
    if not isinstance(user, User) or not permissions.can_request_time_off(user):
        raise PermissionDenied
    try:
        mine = int(request.POST.get("shift", ""))
        theirs = int(request.POST.get("swap_with", ""))
    except ValueError:
        messages.error(request, _("Hãy chọn ca của bạn và ca muốn đổi."))
        return redirect("wfm:me")
    shift = get_object_or_404(Shift, pk=mine, user=user, schedule__status=Schedule.Status.PUBLISHED)
    other = get_object_or_404(Shift, pk=theirs, schedule__status=Schedule.Status.PUBLISHED)
    try:
        schedules.request_swap(
            user=user,
            shift=shift,
            other=other,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Đã gửi yêu cầu đổi ca, chờ trưởng ca duyệt."))
    return redirect("wfm:me")


def adherence(request: HttpRequest) -> HttpResponse:
    _guard(request)
    day = _day(request)
    rows = adherence_services.adherence(day)
    users = {u.pk: u for u in User.objects.filter(pk__in=[r.user_id for r in rows])}
    table = sorted(
        (
            {
                "name": staff_name(users[r.user_id]),
                "planned": int(r.planned.sum()) / 2,
                "worked": int((r.planned & r.actual).sum()) / 2,
                "adherence": r.adherence,
                "occupancy": r.occupancy,
                "over_cap": r.over_cap,
            }
            for r in rows
            if r.user_id in users
        ),
        key=lambda x: str(x["name"]),
    )
    return render(
        request,
        "wfm/adherence.html",
        {
            "day": day,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "rows": table,
            "cap": adherence_services.DEFAULT_MAX_OCCUPANCY,
            "nav": "adherence",
        },
    )


def what_if(request: HttpRequest) -> HttpResponse:
    _guard(request)
    day = _day(request)
    try:
        start_hour = min(23, max(0, int(request.GET.get("start", "9"))))
        hours = min(12, max(1, int(request.GET.get("hours", "4"))))
        factor = min(10.0, max(1.0, float(request.GET.get("factor", "3"))))
    except ValueError:
        start_hour, hours, factor = 9, 4, 3.0
    rows = adherence_services.what_if_storm(
        day=day, start_slot=start_hour * 2, hours=hours, factor=factor
    )
    labels = [timezone.localtime(r.start).strftime("%H:%M") for r in rows]
    chart = charts.line_chart(
        title=_("Bão: nhân lực cần và đã xếp lịch"),
        labels=labels,
        series=[
            (_("Cần khi có bão"), [float(r.required) for r in rows]),
            (_("Đã xếp lịch"), [float(r.scheduled) for r in rows]),
        ],
    )
    return render(
        request,
        "wfm/whatif.html",
        {
            "day": day,
            "rows": rows,
            "chart": chart,
            "start": start_hour,
            "hours": hours,
            "factor": factor,
            "extra_total": sum(r.extra for r in rows),
            "nav": "whatif",
        },
    )


def my_shifts(request: HttpRequest) -> HttpResponse:
    """An agent's own published shifts (next four weeks) and leave requests; asking for leave."""
    user = request.user
    if not isinstance(user, User) or not permissions.can_request_time_off(user):
        raise PermissionDenied
    today = timezone.localdate()
    if request.method == "POST":
        try:
            first = date.fromisoformat(request.POST.get("first_day", ""))
            last = date.fromisoformat(request.POST.get("last_day", "") or first.isoformat())
            schedules.request_leave(
                user=user,
                first_day=first,
                last_day=last,
                reason=request.POST.get("reason", ""),
                now=timezone.now(),
            )
        except ValueError:
            messages.error(request, _("Ngày không hợp lệ."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Đã gửi yêu cầu nghỉ, chờ trưởng ca duyệt."))
        return redirect("wfm:me")
    shifts = (
        Shift.objects.filter(
            user=user,
            schedule__status=Schedule.Status.PUBLISHED,
            day__gte=today,
            day__lt=today + timedelta(days=28),
        )
        .select_related("pattern")
        .order_by("starts_at")
    )
    requests = Request.objects.filter(user=user).order_by("-id")[:20]
    own = list(shifts)
    return render(
        request,
        "wfm/me.html",
        {
            "shifts": own,
            "requests": requests,
            "today": today,
            "candidates": wfm_selectors.swap_candidates(user_id=user.pk, shifts=own),
        },
    )
