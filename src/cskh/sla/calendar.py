"""Business-time arithmetic: add working minutes to an instant under a calendar.

Pure functions over a small immutable `CalendarSpec`, so the hot path (due times for thousands
of cases) never touches the database. Vietnamese public holidays come from `holidays`
(Tết and Hùng Kings day follow the lunar calendar there).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class CalendarSpec:
    always_open: bool = True
    # weekday (0=Mon) -> tuple of (start_minute, end_minute) within the day
    hours: tuple[tuple[tuple[int, int], ...], ...] = field(default_factory=lambda: ((),) * 7)
    use_public_holidays: bool = True
    days_off: frozenset[date] = frozenset()

    @classmethod
    def from_hours(
        cls,
        hours: dict,
        *,
        use_public_holidays: bool = True,
        days_off: frozenset[date] = frozenset(),
    ) -> CalendarSpec:
        week = []
        for wd in range(7):
            spans = []
            for start, end in hours.get(str(wd), hours.get(wd, [])):
                spans.append((_minutes(start), _minutes(end)))
            week.append(tuple(sorted(spans)))
        return cls(
            always_open=False,
            hours=tuple(week),
            use_public_holidays=use_public_holidays,
            days_off=frozenset(days_off),
        )


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@functools.lru_cache(maxsize=64)
def _vn_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def is_day_off(spec: CalendarSpec, day: date) -> bool:
    if day in spec.days_off:
        return True
    return spec.use_public_holidays and day in _vn_holidays(day.year)


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    """The instant when `minutes` of open time have elapsed after `start` (aware datetime)."""
    if spec.always_open or minutes <= 0:
        return start + timedelta(minutes=max(minutes, 0))
    local = start.astimezone(VN_TZ)
    day = local.date()
    cursor = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6
    remaining = float(minutes)
    for _ in range(3660):  # ten years of days at most; a calendar with no open time stops here
        spans = () if is_day_off(spec, day) else spec.hours[day.weekday()]
        for s, e in spans:
            if cursor >= e:
                continue
            begin = max(cursor, s)
            available = e - begin
            if remaining <= available:
                result_min = begin + remaining
                naive = datetime.combine(day, time()) + timedelta(minutes=result_min)
                return naive.replace(tzinfo=VN_TZ).astimezone(start.tzinfo or VN_TZ)
            remaining -= available
            cursor = e
        day += timedelta(days=1)
        cursor = 0
    raise ValueError("calendar has no open time")


def business_minutes_between(spec: CalendarSpec, start: datetime, end: datetime) -> float:
    """Open minutes between two instants (used to pause and resume clocks)."""
    if end <= start:
        return 0.0
    if spec.always_open:
        return (end - start).total_seconds() / 60
    a, b = start.astimezone(VN_TZ), end.astimezone(VN_TZ)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if not is_day_off(spec, day):
            day_start = datetime.combine(day, time(), tzinfo=VN_TZ)
            lo = max((a - day_start).total_seconds() / 60, 0)
            hi = min((b - day_start).total_seconds() / 60, 1440)
            for s, e in spec.hours[day.weekday()]:
                total += max(0.0, min(hi, e) - max(lo, s))
        day += timedelta(days=1)
    return total
