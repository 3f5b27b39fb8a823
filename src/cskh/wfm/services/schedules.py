"""Requirement per interval, schedule generation and publishing, leave and swap requests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import models, transaction
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import Conflict, DomainError, Forbidden, NotFound
from cskh.org import permissions
from cskh.wfm import erlang, solver
from cskh.wfm import forecasting as fc
from cskh.wfm.models import (
    AgentProfile,
    ForecastRun,
    IntervalForecast,
    Request,
    Schedule,
    Shift,
    ShiftPattern,
    StaffingQueue,
)
from cskh.wfm.services.forecasts import local_midnight

DEFAULT_PATTERNS = (
    # code, name, start, paid minutes, lunch after (minutes), lunch minutes, night
    ("S06", "Ca sáng 06:00", (6, 0), 480, 240, 60, False),
    ("S07", "Ca sáng 07:00", (7, 0), 480, 240, 60, False),
    ("S08", "Ca hành chính 08:00", (8, 0), 480, 240, 60, False),
    ("S10", "Ca giữa 10:00", (10, 0), 480, 240, 60, False),
    ("C13", "Ca chiều 13:00", (13, 0), 480, 240, 60, False),
    ("C14", "Ca chiều 14:00", (14, 0), 480, 240, 60, False),
    ("D22", "Ca đêm 22:00", (22, 0), 480, None, 0, True),
)


def ensure_patterns() -> list[ShiftPattern]:
    from datetime import time

    for code, name, (h, m), minutes, lunch_after, lunch, night in DEFAULT_PATTERNS:
        ShiftPattern.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "start": time(h, m),
                "minutes": minutes,
                "lunch_after_minutes": lunch_after,
                "lunch_minutes": lunch,
                "is_night": night,
            },
        )
    return list(ShiftPattern.objects.filter(is_active=True))


def to_solver_pattern(p: ShiftPattern) -> solver.Pattern:
    return solver.Pattern(
        code=p.code,
        start_slot=p.start.hour * 2 + (1 if p.start.minute >= 30 else 0),
        slots=p.minutes // 30,
        lunch_offset=(p.lunch_after_minutes // 30) if p.lunch_after_minutes is not None else None,
        lunch_slots=p.lunch_minutes // 30,
        night=p.is_night,
    )


def latest_forecasts(first_day: date, days: int) -> dict[int, tuple[StaffingQueue, np.ndarray]]:
    """Queue id → (queue, calls[days, 48]) from each queue's latest forecast run."""
    out: dict[int, tuple[StaffingQueue, np.ndarray]] = {}
    start = local_midnight(first_day)
    end = local_midnight(first_day + timedelta(days=days))
    for queue in StaffingQueue.objects.all():
        run = ForecastRun.objects.filter(queue=queue).order_by("-created_at", "-id").first()
        calls = np.zeros((days, fc.SLOTS))
        if run is not None:
            rows = IntervalForecast.objects.filter(
                run=run, start__gte=start, start__lt=end
            ).values_list("start", "calls")
            for at, n in rows:
                k, s = _cell(at, first_day)
                calls[k, s] = n
        out[queue.pk] = (queue, calls)
    return out


def _cell(at: datetime, first_day: date) -> tuple[int, int]:
    from django.utils import timezone

    local = timezone.localtime(at)
    return (local.date() - first_day).days, local.hour * 2 + (1 if local.minute >= 30 else 0)


def requirement(
    first_day: date, days: int, *, uplift: np.ndarray | None = None, rostered: bool = False
) -> np.ndarray:
    """Agents needed on the phones (or rostered, with shrinkage) per interval, all queues."""
    total = np.zeros((days, fc.SLOTS), dtype=int)
    for need in requirement_by_queue(first_day, days, uplift=uplift, rostered=rostered).values():
        total += need
    return total


def requirement_by_queue(
    first_day: date, days: int, *, uplift: np.ndarray | None = None, rostered: bool = False
) -> dict[str, np.ndarray]:
    """Queue code → agents needed per interval (days × 48): the per-skill requirement of
    multi-skill rostering."""
    out: dict[str, np.ndarray] = {}
    for queue, calls in latest_forecasts(first_day, days).values():
        total = np.zeros((days, fc.SLOTS), dtype=int)
        load = calls * (uplift if uplift is not None else 1.0)
        if queue.model == "c":
            agents, heads = erlang.staffing_c_many(
                calls=load,
                interval_seconds=1800,
                aht_seconds=np.asarray(float(queue.aht_seconds)),
                target_seconds=queue.target_seconds,
                service_level=queue.service_level,
                max_occupancy=queue.max_occupancy,
                shrinkage=queue.shrinkage,
            )
        else:
            agents = np.zeros_like(total)
            heads = np.zeros_like(total)
            for (k, s), n in np.ndenumerate(load):
                if n > 0:
                    st = erlang.staffing(
                        model="a",
                        calls=float(n),
                        interval_seconds=1800,
                        aht_seconds=queue.aht_seconds,
                        target_seconds=queue.target_seconds,
                        service_level=queue.service_level,
                        max_occupancy=queue.max_occupancy,
                        shrinkage=queue.shrinkage,
                        patience_seconds=queue.patience_seconds,
                    )
                    agents[k, s], heads[k, s] = st.agents, st.rostered
        total += heads if rostered else agents
        out[queue.code] = total
    return out


def _unavailable(user_ids: list[int], first_day: date, days: int) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {uid: set() for uid in user_ids}
    last = first_day + timedelta(days=days - 1)
    rows = Request.objects.filter(
        kind=Request.Kind.LEAVE,
        status=Request.Status.APPROVED,
        user_id__in=user_ids,
        first_day__lte=last,
        last_day__gte=first_day,
    ).values_list("user_id", "first_day", "last_day")
    for uid, a, b in rows:
        d = max(a, first_day)
        while d <= min(b, last):
            out[uid].add((d - first_day).days)
            d += timedelta(days=1)
    return out


@transaction.atomic
def generate(
    *,
    first_day: date,
    days: int,
    by: Any,
    now: datetime,
    time_limit: float = 55.0,
) -> Schedule:
    """Solve a roster for the active agents over [first_day, first_day + days) as a draft."""
    if by is not None and not permissions.can_plan_workforce(by):
        raise Forbidden(_("Chỉ trưởng ca, quản lý mới lập lịch làm việc."))
    if not 1 <= days <= 42:
        raise DomainError(_("Lịch làm việc dài từ 1 đến 42 ngày."))
    patterns = ensure_patterns()
    profiles = list(
        AgentProfile.objects.filter(is_active=True).prefetch_related("queues").order_by("user_id")
    )
    if not profiles:
        raise DomainError(_("Chưa có tư vấn viên nào có hồ sơ lịch làm việc."))
    leave = _unavailable([p.user_id for p in profiles], first_day, days)
    agents = [
        solver.Agent(
            key=p.user_id,
            max_hours_week=min(p.max_hours_week, 48),
            night_ok=p.night_ok,
            unavailable=frozenset(leave[p.user_id]),
            # skills: the queues the agent serves (none recorded: every queue)
            skills=frozenset(q.code for q in p.queues.all()),
        )
        for p in profiles
    ]
    by_queue = requirement_by_queue(first_day, days)
    need: np.ndarray | dict[str, np.ndarray] = (
        by_queue if by_queue else np.zeros((days, fc.SLOTS), dtype=int)
    )
    result = solver.solve(
        need,
        agents,
        [to_solver_pattern(p) for p in patterns],
        first_weekday=first_day.weekday(),
        time_limit=time_limit,
    )
    schedule = Schedule.objects.create(
        first_day=first_day,
        last_day=first_day + timedelta(days=days - 1),
        created_at=now,
        created_by=by,
        stats={
            "status": result.status,
            "seconds": round(result.seconds, 2),
            "required": result.required,
            "covered": result.covered,
            "bound_covered": result.bound_covered,
            "over": result.over,
            **{k: round(v, 2) for k, v in result.stats.items()},
        },
    )
    by_code = {p.code: p for p in patterns}
    queue_ids = dict(StaffingQueue.objects.values_list("code", "pk"))
    shifts = []
    for (user_id, d, code), skill in zip(result.assignments, result.assignment_skills, strict=True):
        p = by_code[code]
        day = first_day + timedelta(days=d)
        starts = local_midnight(day) + timedelta(hours=p.start.hour, minutes=p.start.minute)
        shifts.append(
            Shift(
                schedule=schedule,
                user_id=user_id,
                day=day,
                pattern=p,
                queue_id=queue_ids.get(skill),
                starts_at=starts,
                ends_at=starts + timedelta(minutes=p.minutes + p.lunch_minutes),
            )
        )
    Shift.objects.bulk_create(shifts, batch_size=2000)
    audit.record(actor=by, action="wfm.schedule_generated", obj=schedule, changes=schedule.stats)
    return schedule


@transaction.atomic
def publish(*, schedule: Schedule, by: Any, now: datetime) -> Schedule:
    if not permissions.can_plan_workforce(by):
        raise Forbidden(_("Chỉ trưởng ca, quản lý mới công bố lịch làm việc."))
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.status == Schedule.Status.PUBLISHED:
        raise Conflict(_("Lịch đã được công bố."))
    schedule.status = Schedule.Status.PUBLISHED
    schedule.published_at = now
    schedule.save(update_fields=["status", "published_at"])
    audit.record(actor=by, action="wfm.schedule_published", obj=schedule)
    return schedule


@transaction.atomic
def request_leave(
    *, user: Any, first_day: date, last_day: date, reason: str, now: datetime
) -> Request:
    if not permissions.can_request_time_off(user):
        raise Forbidden(_("Chỉ tư vấn viên, trưởng ca mới xin nghỉ qua lịch làm việc."))
    if last_day < first_day or (last_day - first_day).days > 30:
        raise DomainError(_("Khoảng nghỉ không hợp lệ (tối đa 31 ngày)."))
    return Request.objects.create(
        kind=Request.Kind.LEAVE,
        user=user,
        first_day=first_day,
        last_day=last_day,
        reason=reason[:300],
        created_at=now,
    )


@transaction.atomic
def request_swap(*, user: Any, shift: Shift, other: Shift, reason: str, now: datetime) -> Request:
    if shift.user_id != user.pk:
        raise NotFound(_("Không tìm thấy ca làm việc."))
    if other.user_id == user.pk or other.schedule_id != shift.schedule_id:
        raise DomainError(_("Chỉ đổi ca với đồng nghiệp trong cùng lịch."))
    return Request.objects.create(
        kind=Request.Kind.SWAP,
        user=user,
        first_day=shift.day,
        last_day=other.day,
        shift=shift,
        swap_with=other,
        reason=reason[:300],
        created_at=now,
    )


@transaction.atomic
def decide(*, request: Request, approve: bool, by: Any, now: datetime) -> Request:
    """Approve or reject; an approved swap exchanges the two agents of the shifts, an
    approved leave removes the agent's draft or published shifts on those days."""
    if not permissions.can_plan_workforce(by):
        raise Forbidden(_("Chỉ trưởng ca, quản lý mới duyệt yêu cầu."))
    req = Request.objects.select_for_update().get(pk=request.pk)
    if req.status != Request.Status.PENDING:
        raise Conflict(_("Yêu cầu đã được xử lý."))
    req.status = Request.Status.APPROVED if approve else Request.Status.REJECTED
    req.decided_by = by
    req.decided_at = now
    req.save(update_fields=["status", "decided_by", "decided_at"])
    if approve and req.kind == Request.Kind.SWAP and req.shift and req.swap_with:
        _swap(req.shift, req.swap_with)
    if approve and req.kind == Request.Kind.LEAVE:
        Shift.objects.filter(
            user_id=req.user_id, day__gte=req.first_day, day__lte=req.last_day
        ).delete()
    audit.record(actor=by, action=f"wfm.request_{req.status}", obj=req)
    return req


def _swap(a: Shift, b: Shift) -> None:
    """Exchange two shifts between their agents (same day: exchange the times)."""
    if a.day == b.day:
        fields = ("pattern_id", "starts_at", "ends_at")
        va = {f: getattr(a, f) for f in fields}
        vb = {f: getattr(b, f) for f in fields}
        Shift.objects.filter(pk=a.pk).update(**vb)
        Shift.objects.filter(pk=b.pk).update(**va)
        return
    taken = Shift.objects.filter(schedule_id=a.schedule_id).filter(
        models.Q(user_id=b.user_id, day=a.day) | models.Q(user_id=a.user_id, day=b.day)
    )
    if taken.exists():
        raise Conflict(_("Một trong hai người đã có ca vào ngày cần đổi."))
    Shift.objects.filter(pk=a.pk).update(user_id=b.user_id)
    Shift.objects.filter(pk=b.pk).update(user_id=a.user_id)
