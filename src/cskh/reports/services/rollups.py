"""Rollup maintenance.

Correctness model: a day's rollup rows are always a pure function of the source rows of that
day (cases opened that day, calls started that day), recomputed whole (delete + insert in one
transaction). Hooks never add or subtract counts (which drifts as soon as one event is lost
or replayed); they only mark a past day dirty (`DirtyDay`) when one of its cases or calls
changes. The `reports_refresh` job recomputes today every minute plus every dirty day, and
the nightly job the last `CSKH_REPORTS_REFRESH_DAYS` days (open cases turn "breached" with
time, without any event). `cskh reports rebuild` recomputes any range from scratch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from cskh.cases.models import Case, Interaction
from cskh.core import dbstats
from cskh.reports.models import CallInterval, CaseDay, CaseHour, CaseMonth, DirtyDay

REPEAT_WINDOW = timedelta(days=7)

type Progress = Callable[[int], None]


def day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def days(start: date, end: date) -> Iterator[date]:
    """Every day in [start, end]."""
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def sl_seconds() -> int:
    return int(getattr(settings, "CSKH_REPORTS_SL_SECONDS", 20))


# --------------------------------------------------------------------------- cases


def _case_rows(start: datetime, end: datetime) -> Iterator[tuple[Any, ...]]:
    return (
        Case.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "id")
        .values_list(
            "created_at",
            "unit_id",
            "assigned_agent__unit_id",
            "channel",
            "case_type_id",
            "customer_id",
            "is_open",
            "resolved_at",
            "due_at",
            "resolved_on_first_contact",
        )
        .iterator(chunk_size=5000)
    )


@transaction.atomic
def recompute_cases(first: date, last: date, *, now: datetime | None = None) -> int:
    """Recompute CaseDay and CaseHour for the days [first, last]; returns cases read."""
    now = now or timezone.now()
    start, end = day_start(first), day_start(last + timedelta(days=1))
    last_seen: dict[int, datetime] = {}
    for cust, at in (
        Case.objects.filter(created_at__gte=start - REPEAT_WINDOW, created_at__lt=start)
        .order_by("created_at")
        .values_list("customer_id", "created_at")
        .iterator(chunk_size=5000)
    ):
        last_seen[cust] = at
    daily: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0.0] * 9)
    hourly: dict[tuple[Any, ...], int] = defaultdict(int)
    n = 0
    for created, unit, team, channel, ctype, cust, is_open, resolved, due, fcr in _case_rows(
        start, end
    ):
        n += 1
        local = timezone.localtime(created)
        d = local.date()
        unit, team, ctype = unit or 0, team or 0, ctype or 0
        row = daily[(d, unit, team, channel, ctype)]
        row[0] += 1
        if fcr:
            row[1] += 1
        if resolved is not None:
            row[2] += 1
            row[3] += max(0.0, (resolved - created).total_seconds() / 60)
        if due is not None:
            if resolved is not None:
                row[4 if resolved <= due else 5] += 1
            elif is_open and due < now:
                row[5] += 1
        if is_open:
            row[6] += 1
        if cust is not None:
            prev = last_seen.get(cust)
            if prev is not None and created - prev <= REPEAT_WINDOW:
                row[7] += 1
            last_seen[cust] = created
        hourly[(d, local.hour, channel)] += 1
    CaseDay.objects.filter(day__gte=first, day__lte=last).delete()
    CaseHour.objects.filter(day__gte=first, day__lte=last).delete()
    CaseDay.objects.bulk_create(
        [
            CaseDay(
                day=k[0],
                unit_id=k[1],
                team_id=k[2],
                channel=k[3],
                case_type_id=k[4],
                opened=int(v[0]),
                first_contact=int(v[1]),
                resolved=int(v[2]),
                resolve_minutes=round(v[3], 2),
                sla_met=int(v[4]),
                sla_breached=int(v[5]),
                open_now=int(v[6]),
                repeat_7d=int(v[7]),
            )
            for k, v in daily.items()
        ],
        batch_size=2000,
    )
    CaseHour.objects.bulk_create(
        [CaseHour(day=k[0], hour=k[1], channel=k[2], opened=v) for k, v in hourly.items()],
        batch_size=2000,
    )
    for month in months(first, last):
        rewrite_month(month)
    return n


MEASURES = (
    "opened",
    "first_contact",
    "resolved",
    "resolve_minutes",
    "sla_met",
    "sla_breached",
    "open_now",
    "repeat_7d",
)


def months(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def rewrite_month(month: date) -> None:
    """CaseMonth rows of one month from its CaseDay rows."""
    end = (month + timedelta(days=32)).replace(day=1)
    rows = (
        CaseDay.objects.filter(day__gte=month, day__lt=end)
        .values_list("unit_id", "channel", "case_type_id")
        .annotate(*[Sum(m) for m in MEASURES])
        .order_by()
    )
    CaseMonth.objects.filter(month=month).delete()
    CaseMonth.objects.bulk_create(
        [
            CaseMonth(
                month=month,
                unit_id=r[0],
                channel=r[1],
                case_type_id=r[2],
                **dict(zip(MEASURES, r[3:], strict=True)),
            )
            for r in rows
        ],
        batch_size=2000,
    )


# --------------------------------------------------------------------------- calls


@transaction.atomic
def recompute_calls(first: date, last: date) -> int:
    """Recompute CallInterval for the days [first, last] (inbound phone interactions)."""
    start, end = day_start(first), day_start(last + timedelta(days=1))
    limit = timedelta(seconds=sl_seconds())
    rows: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * 6)
    n = 0
    qs = (
        Interaction.objects.filter(
            channel="phone", direction="in", started_at__gte=start, started_at__lt=end
        )
        .values_list(
            "started_at",
            "answered_at",
            "state",
            "duration_seconds",
            "agent__unit_id",
            "agent__unit__parent_id",
            "wrap_up__wrap_seconds",
        )
        .iterator(chunk_size=5000)
    )
    for started, answered, state, duration, team, parent, wrap in qs:
        n += 1
        local = timezone.localtime(started)
        team = team or 0
        unit = parent or team
        row = rows[(local.date(), local.hour, unit, team)]
        row[0] += 1
        if answered is not None:
            row[1] += 1
            if answered - started <= limit:
                row[2] += 1
            row[4] += duration or 0
            row[5] += wrap or 0
        elif state in (Interaction.State.MISSED, Interaction.State.ENDED):
            row[3] += 1
    CallInterval.objects.filter(day__gte=first, day__lte=last).delete()
    CallInterval.objects.bulk_create(
        [
            CallInterval(
                day=k[0],
                hour=k[1],
                unit_id=k[2],
                team_id=k[3],
                offered=v[0],
                answered=v[1],
                answered_in_sl=v[2],
                abandoned=v[3],
                talk_seconds=v[4],
                wrap_seconds=v[5],
            )
            for k, v in rows.items()
        ],
        batch_size=2000,
    )
    return n


# --------------------------------------------------------------------------- marking, refresh


def mark_dirty(kind: str, at: datetime | None) -> None:
    """Mark the local day of `at` for recomputation (today is recomputed anyway)."""
    if at is None:
        return
    d = timezone.localtime(at).date()
    if d >= timezone.localdate():
        return
    try:
        with transaction.atomic():
            DirtyDay.objects.get_or_create(kind=kind, day=d)
    except IntegrityError:  # marked by a concurrent transaction: the same outcome
        pass


def refresh(*, extra_days: int = 0, now: datetime | None = None) -> dict[str, int]:
    """Recompute today (and `extra_days` before it) and every dirty day."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    recompute_cases(today - timedelta(days=extra_days), today, now=now)
    recompute_calls(today - timedelta(days=extra_days), today)
    done = 0
    for kind, d in list(DirtyDay.objects.values_list("kind", "day")[:500]):
        with transaction.atomic():
            # delete the mark first: a change committed after this point marks it again
            DirtyDay.objects.filter(kind=kind, day=d).delete()
            if kind == DirtyDay.Kind.CASES:
                recompute_cases(d, d, now=now)
            else:
                recompute_calls(d, d)
        done += 1
    return {"dirty_days": done, "days": extra_days + 1}


def rebuild(first: date, last: date, *, progress: Progress | None = None) -> dict[str, int]:
    """Recompute every rollup for [first, last], a month at a time (bounded memory)."""
    cases = calls = 0
    d = first
    while d <= last:
        month_end = min(last, (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1))
        cases += recompute_cases(d, month_end)
        calls += recompute_calls(d, month_end)
        if progress:
            progress((month_end - d).days + 1)
        d = month_end + timedelta(days=1)
    DirtyDay.objects.filter(day__gte=first, day__lte=last).delete()
    dbstats.analyze([CaseDay, CaseMonth, CaseHour, CallInterval])
    return {"cases": cases, "calls": calls, "days": (last - first).days + 1}


def source_range() -> tuple[date, date] | None:
    """The first and last local day with a case or a call (None on an empty database)."""
    firsts = [
        Case.objects.order_by("created_at").values_list("created_at", flat=True).first(),
        Interaction.objects.order_by("started_at").values_list("started_at", flat=True).first(),
    ]
    found = [timezone.localtime(f).date() for f in firsts if f is not None]
    if not found:
        return None
    return min(found), timezone.localdate()


# --------------------------------------------------------------------------- hooks


def on_case_changed(*, case: Case, **_kwargs: Any) -> None:
    """case_opened / case_transitioned / case_assigned: the case's cohort day changed.
    No query for a case opened today (today is recomputed every minute anyway); the
    wallboard's case tiles follow the per-minute refresh, which pushes."""
    mark_dirty(DirtyDay.Kind.CASES, case.created_at)


def on_call_event(*, interaction: Interaction, **_kwargs: Any) -> None:
    """call_event (telephony): the call's day changed; the wallboard refreshes."""
    mark_dirty(DirtyDay.Kind.CALLS, interaction.started_at)
    from cskh.reports.services import wallboard

    wallboard.push()


def on_presence_changed(**_kwargs: Any) -> None:
    from cskh.reports.services import wallboard

    wallboard.push()
