"""Forecast runs from cskh's own history, and the intraday re-forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from cskh.cases import selectors as cases_selectors
from cskh.incidents import selectors as incidents_selectors
from cskh.wfm import erlang
from cskh.wfm import forecasting as fc
from cskh.wfm.models import ForecastRun, IntervalForecast, StaffingQueue

HISTORY_DAYS = 364
HORIZON_DAYS = 28
#: Load factor while an unplanned outage (storm) incident is open: the what-if default too.
STORM_UPLIFT = 3.0


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def open_mask(queue: StaffingQueue) -> np.ndarray:
    """The half-hours a queue is open (closing at 00:00 means through midnight)."""
    mask = np.zeros(fc.SLOTS, dtype=bool)
    first = queue.opens.hour * 2 + (1 if queue.opens.minute >= 30 else 0)
    last = queue.closes.hour * 2 + (1 if queue.closes.minute >= 30 else 0)
    mask[first : last or fc.SLOTS] = True
    return mask


def history(queue: StaffingQueue, *, first_day: date, days: int) -> np.ndarray:
    """Counts[days, 48] of the queue's channel from first_day (local days)."""
    start = local_midnight(first_day)
    end = local_midnight(first_day + timedelta(days=days))
    out = np.zeros((days, fc.SLOTS))
    for channel, at, n in cases_selectors.inbound_contacts_per_half_hour(start=start, end=end):
        if channel != queue.channel:
            continue
        local = timezone.localtime(at)
        k = (local.date() - first_day).days
        if 0 <= k < days:
            out[k, local.hour * 2 + (1 if local.minute >= 30 else 0)] += n
    return out


def event_days(first_day: date, last_day: date) -> list[date]:
    """Days with a planned outage or an unplanned one (storms) from the incidents app."""
    found: set[date] = set()
    rows = incidents_selectors.incident_windows(
        start=local_midnight(first_day), end=local_midnight(last_day + timedelta(days=1))
    )
    for _kind, start, end in rows:
        d = timezone.localtime(start).date()
        stop = timezone.localtime(end).date() if end else d
        while d <= min(stop, last_day):
            if d >= first_day:
                found.add(d)
            d += timedelta(days=1)
    return sorted(found)


def calendar_flags(first_day: date, last_day: date, *, bill_day: int | None = 5) -> fc.DayFlags:
    years = list(range(first_day.year, last_day.year + 1))
    return fc.vietnam_flags(events=event_days(first_day, last_day), bill_day=bill_day, years=years)


def run_forecast(
    queue: StaffingQueue,
    *,
    now: datetime,
    horizon_days: int = HORIZON_DAYS,
    history_days: int = HISTORY_DAYS,
    reason: str = "nightly",
) -> ForecastRun | None:
    """Forecast the queue from tomorrow's midnight back to today (today included) for
    `horizon_days`; None when there is less than a week of history."""
    today = timezone.localtime(now).date()
    first = today - timedelta(days=history_days)
    hist = history(queue, first_day=first, days=history_days)
    nonzero = np.nonzero(hist.sum(axis=1))[0]
    if len(nonzero) == 0 or history_days - nonzero[0] < fc.WEEK:
        return None
    hist = hist[nonzero[0] :]
    first = first + timedelta(days=int(nonzero[0]))
    flags = calendar_flags(first, today + timedelta(days=horizon_days))
    mask = open_mask(queue)
    f = fc.choose_and_forecast(hist, first, horizon_days, mask, flags)
    with transaction.atomic():
        run = ForecastRun.objects.create(
            queue=queue,
            created_at=now,
            start=local_midnight(today),
            end=local_midnight(today + timedelta(days=horizon_days)),
            method=f.method,
            wape=f.backtest.get(f.method),
            wape_seasonal_naive=f.backtest.get("seasonal_naive"),
            reason=reason,
        )
        rows = []
        for d in range(horizon_days):
            midnight = local_midnight(today + timedelta(days=d))
            for s in np.nonzero(mask)[0]:
                rows.append(
                    IntervalForecast(
                        run=run,
                        start=midnight + timedelta(minutes=30 * int(s)),
                        calls=round(float(f.values[d, s]), 3),
                        naive=round(float(f.naive[d, s]), 3),
                    )
                )
        IntervalForecast.objects.bulk_create(rows, batch_size=2000)
    return run


def run_all(*, now: datetime | None = None) -> list[ForecastRun]:
    now = now or timezone.now()
    runs = []
    for queue in StaffingQueue.objects.all():
        run = run_forecast(queue, now=now)
        if run is not None:
            runs.append(run)
    return runs


# --------------------------------------------------------------------------- intraday


@dataclass(frozen=True)
class IntradayRow:
    start: datetime
    forecast: float
    observed: float | None
    reforecast: float
    required: int
    scheduled: int
    shortfall: int


def required_agents(queue: StaffingQueue, calls: float, *, uplift: float = 1.0) -> int:
    """Rostered heads for `calls` in one half-hour with the queue's targets."""
    if calls <= 0:
        return 0
    s = erlang.staffing(
        model=queue.model,
        calls=calls * uplift,
        interval_seconds=1800,
        aht_seconds=queue.aht_seconds,
        target_seconds=queue.target_seconds,
        service_level=queue.service_level,
        max_occupancy=queue.max_occupancy,
        shrinkage=queue.shrinkage,
        patience_seconds=queue.patience_seconds,
    )
    return s.rostered


def intraday(
    queue: StaffingQueue,
    *,
    now: datetime,
    forecast_day: np.ndarray,
    scheduled: np.ndarray,
    storm: bool | None = None,
) -> list[IntradayRow]:
    """Re-forecast the rest of today from the morning so far (and an open storm incident),
    with the staffing requirement and the shortfall against the scheduled heads."""
    local = timezone.localtime(now)
    today = local.date()
    now_slot = local.hour * 2 + (1 if local.minute >= 30 else 0)
    observed = history(queue, first_day=today, days=1)[0]
    if storm is None:
        storm = any(
            kind == "unplanned_outage" and end is None
            for kind, _s, end in incidents_selectors.incident_windows(start=now, end=now)
        )
    uplift = STORM_UPLIFT if storm else 1.0
    re = fc.reforecast_intraday(forecast_day, observed, now_slot, uplift=uplift)
    mask = open_mask(queue)
    out = []
    midnight = local_midnight(today)
    for s in np.nonzero(mask)[0]:
        need = required_agents(queue, float(re[s]))
        have = int(scheduled[s])
        out.append(
            IntradayRow(
                start=midnight + timedelta(minutes=30 * int(s)),
                forecast=float(forecast_day[s]),
                observed=float(observed[s]) if s < now_slot else None,
                reforecast=float(re[s]),
                required=need,
                scheduled=have,
                shortfall=max(0, need - have) if s >= now_slot else 0,
            )
        )
    return out
