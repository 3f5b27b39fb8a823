"""Presence log, adherence (planned vs actual per agent and interval), occupancy per agent and
day with the burnout guard, scheduled heads per interval, and the storm what-if."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from cskh.org import permissions
from cskh.wfm import erlang
from cskh.wfm import forecasting as fc
from cskh.wfm.models import PresenceLog, Schedule, Shift, StaffingQueue
from cskh.wfm.services.forecasts import STORM_UPLIFT, local_midnight
from cskh.wfm.services.schedules import latest_forecasts

WORKING = frozenset({"available", "on_call", "after_call_work"})
BUSY = frozenset({"on_call", "after_call_work"})
DEFAULT_MAX_OCCUPANCY = 0.85


def on_presence_changed(*, user: Any, state: str, at: datetime, **_: Any) -> None:
    """Hook `presence_changed` (telephony): keep the history adherence is measured on."""
    if getattr(user, "role", None) in permissions.CALL_TAKER_ROLES:
        PresenceLog.objects.create(user=user, state=state, at=at)


def _slot(at: datetime, day: date) -> float:
    """Half-hours since the day's local midnight (fractional)."""
    return (at - local_midnight(day)).total_seconds() / 1800


def planned(day: date, *, published_only: bool = False) -> dict[int, np.ndarray]:
    """User id → bool[48]: the half-hours each agent is scheduled to work (lunch excluded)."""
    shifts = Shift.objects.filter(day__in=[day, day - timedelta(days=1)]).select_related(
        "pattern", "schedule"
    )
    if published_only:
        shifts = shifts.filter(schedule__status=Schedule.Status.PUBLISHED)
    out: dict[int, np.ndarray] = {}
    for sh in shifts:
        start = _slot(sh.starts_at, day)
        row = out.setdefault(sh.user_id, np.zeros(fc.SLOTS, dtype=bool))
        lunch = sh.pattern.lunch_after_minutes
        span = (sh.pattern.minutes + sh.pattern.lunch_minutes) // 30
        for k in range(span):
            if lunch is not None and lunch // 30 <= k < (lunch + sh.pattern.lunch_minutes) // 30:
                continue
            s = int(round(start)) + k
            if 0 <= s < fc.SLOTS:
                row[s] = True
    return out


def scheduled_heads(day: date) -> np.ndarray:
    """Agents scheduled per half-hour of a day (every schedule, drafts included)."""
    total = np.zeros(fc.SLOTS, dtype=int)
    for row in planned(day).values():
        total += row
    return total


def _state_seconds(user_ids: list[int], day: date) -> dict[int, dict[str, np.ndarray]]:
    """Per user, per state: seconds spent in each half-hour of the day."""
    start = local_midnight(day)
    end = start + timedelta(days=1)
    out: dict[int, dict[str, np.ndarray]] = {}
    logs: dict[int, list[tuple[datetime, str]]] = {uid: [] for uid in user_ids}
    # The state each agent was in at midnight: the last change of the two days before (one
    # query for every agent; older changes than that do not say who is at work today).
    for uid, _at, state in (
        PresenceLog.objects.filter(
            user_id__in=user_ids, at__lt=start, at__gte=start - timedelta(days=2)
        )
        .order_by("at", "id")
        .values_list("user_id", "at", "state")
    ):
        logs[uid] = [(start, state)]
    for uid, at, state in (
        PresenceLog.objects.filter(user_id__in=user_ids, at__gte=start, at__lt=end)
        .order_by("at", "id")
        .values_list("user_id", "at", "state")
    ):
        logs[uid].append((at, state))
    for uid, items in logs.items():
        per: dict[str, np.ndarray] = {}
        for i, (at, state) in enumerate(items):
            until = items[i + 1][0] if i + 1 < len(items) else min(end, timezone.now())
            a, b = _slot(at, day), _slot(until, day)
            while a < b:
                s = int(a)
                nxt = min(b, s + 1)
                if 0 <= s < fc.SLOTS:
                    per.setdefault(state, np.zeros(fc.SLOTS))[s] += (nxt - a) * 1800
                a = nxt
        out[uid] = per
    return out


@dataclass(frozen=True)
class AgentDay:
    user_id: int
    planned: np.ndarray  # bool[48]
    actual: np.ndarray  # bool[48]: at least half of the interval in a working state
    adherence: float | None  # share of planned intervals actually worked
    occupancy: float | None  # busy / working time
    over_cap: bool


def adherence(day: date, *, max_occupancy: float = DEFAULT_MAX_OCCUPANCY) -> list[AgentDay]:
    plan = planned(day)
    seconds = _state_seconds(list(plan), day)
    out = []
    for uid, row in plan.items():
        per = seconds.get(uid, {})
        working = sum((per[s] for s in WORKING if s in per), np.zeros(fc.SLOTS))
        busy = sum((per[s] for s in BUSY if s in per), np.zeros(fc.SLOTS))
        actual = working >= 900
        n_plan = int(row.sum())
        adh = float((row & actual).sum() / n_plan) if n_plan else None
        occ = float(busy.sum() / working.sum()) if working.sum() > 0 else None
        out.append(AgentDay(uid, row, actual, adh, occ, occ is not None and occ > max_occupancy))
    return out


# --------------------------------------------------------------------------- what-if


@dataclass(frozen=True)
class WhatIfRow:
    start: datetime
    calls: float
    storm_calls: float
    required: int
    scheduled: int
    extra: int
    service_level: float | None  # what the scheduled heads give under the storm load


def what_if_storm(
    *,
    day: date,
    start_slot: int,
    hours: float = 4,
    factor: float = STORM_UPLIFT,
) -> list[WhatIfRow]:
    """A storm multiplies the load by `factor` for `hours` from `start_slot`: extra heads per
    interval, and the service level the current roster gives (all queues pooled into one
    Erlang A queue with the call-weighted handling time, the phone queue's targets)."""
    forecasts = latest_forecasts(day, 1)
    queues = [q for q, _c in forecasts.values()]
    calls = sum((c[0] for _q, c in forecasts.values()), np.zeros(fc.SLOTS))
    weighted = sum((c[0] * q.aht_seconds for q, c in forecasts.values()), np.zeros(fc.SLOTS))
    ref = next((q for q in queues if q.channel == "phone"), queues[0] if queues else None)
    if ref is None:
        return []
    uplift = np.ones(fc.SLOTS)
    end = min(fc.SLOTS, start_slot + int(hours * 2))
    uplift[start_slot:end] = factor
    scheduled = scheduled_heads(day)
    out = []
    midnight = local_midnight(day)
    for s in range(fc.SLOTS):
        if calls[s] <= 0 and scheduled[s] == 0:
            continue
        aht = float(weighted[s] / calls[s]) if calls[s] > 0 else float(ref.aht_seconds)
        load = float(calls[s] * uplift[s])
        need = _heads(ref, load, aht)
        on_phone = int(scheduled[s] * (1 - ref.shrinkage))
        sl: float | None = None
        if load > 0 and on_phone > 0:
            try:
                sl = erlang.erlang_a(
                    calls=load,
                    interval_seconds=1800,
                    aht_seconds=aht,
                    agents=on_phone,
                    target_seconds=ref.target_seconds,
                    patience_seconds=ref.patience_seconds,
                ).service_level
            except erlang.ErlangError:
                sl = None
        elif load > 0:
            sl = 0.0
        out.append(
            WhatIfRow(
                start=midnight + timedelta(minutes=30 * s),
                calls=float(calls[s]),
                storm_calls=load,
                required=need,
                scheduled=int(scheduled[s]),
                extra=max(0, need - int(scheduled[s])),
                service_level=sl,
            )
        )
    return out


def _heads(queue: StaffingQueue, calls: float, aht: float) -> int:
    if calls <= 0:
        return 0
    return erlang.staffing(
        model="a",
        calls=calls,
        interval_seconds=1800,
        aht_seconds=aht,
        target_seconds=queue.target_seconds,
        service_level=queue.service_level,
        max_occupancy=queue.max_occupancy,
        shrinkage=queue.shrinkage,
        patience_seconds=queue.patience_seconds,
    ).rostered
