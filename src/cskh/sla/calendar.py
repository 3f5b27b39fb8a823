"""Business-time arithmetic: add working minutes to an instant under a calendar.

Pure functions over a small immutable `CalendarSpec`, so the hot path (due times for thousands
of cases) never touches the database. Vietnamese public holidays come from `holidays`
(Tết and Hùng Kings day follow the lunar calendar there).
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from cskh.core import refcache

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


def calendar_spec(calendar) -> CalendarSpec:
    """The spec of a catalog BusinessCalendar, from the reference cache (family "sla.calendar",
    invalidated by saves of the calendar and its days off: see catalog.apps and core.refcache
    for when other processes see an edit)."""
    return refcache.get(("sla.calendar", calendar.pk), lambda: _load_spec(calendar))


def _load_spec(calendar) -> CalendarSpec:
    if calendar.always_open:
        return CalendarSpec(always_open=True)
    days_off = frozenset(calendar.days_off.values_list("date", flat=True))
    return CalendarSpec.from_hours(
        calendar.hours, use_public_holidays=calendar.use_public_holidays, days_off=days_off
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


# --- precomputed day tables (hot path) -------------------------------------------------------
# Vietnam has had no daylight saving time since 1975: local time is UTC+7, so instants map to
# local minutes with integer arithmetic. A table per calendar holds, for each day in a window of
# years, the open spans and the cumulative open minutes up to the end of that day; adding business
# minutes is then a bisect plus a walk over at most a few spans of one day.
_OFFSET_MIN = 7 * 60
_EPOCH = date(1970, 1, 1)
TABLE_YEARS_BACK = 6
TABLE_YEARS_AHEAD = 12


class DayTable:
    __slots__ = ("first_day", "n", "spans", "cum_end", "cum_start")

    def __init__(self, spec: CalendarSpec, first_year: int, last_year: int):
        first = date(first_year, 1, 1)
        self.first_day = (first - _EPOCH).days
        days = (date(last_year + 1, 1, 1) - first).days
        self.n = days
        spans: list[tuple[tuple[int, int], ...]] = []
        cum_end: list[float] = []
        cum_start: list[float] = []
        total = 0.0
        day = first
        for _ in range(days):
            s = () if is_day_off(spec, day) else spec.hours[day.weekday()]
            spans.append(s)
            cum_start.append(total)
            total += sum(e - b for b, e in s)
            cum_end.append(total)
            day += timedelta(days=1)
        self.spans = spans
        self.cum_end = cum_end
        self.cum_start = cum_start

    def position(self, local_min: float) -> float | None:
        """Open minutes from the table start up to a local minute (None outside the table)."""
        d = int(local_min // 1440) - self.first_day
        if d < 0 or d >= self.n:
            return None
        m = local_min - (d + self.first_day) * 1440
        pos = self.cum_start[d]
        for b, e in self.spans[d]:
            if m <= b:
                break
            pos += (e if m > e else m) - b
        return pos

    def at_position(self, pos: float) -> float | None:
        """Earliest local minute at which `pos` open minutes have elapsed."""
        d = bisect_left(self.cum_end, pos)
        if d >= self.n:
            return None
        rem = pos - self.cum_start[d]
        for b, e in self.spans[d]:
            if rem <= e - b:
                return (d + self.first_day) * 1440 + b + rem
            rem -= e - b
        return None  # pragma: no cover - cum_end guarantees a span


@functools.lru_cache(maxsize=256)
def day_table(spec: CalendarSpec, anchor_year: int) -> DayTable:
    return DayTable(spec, anchor_year - TABLE_YEARS_BACK, anchor_year + TABLE_YEARS_AHEAD)


def _table(spec: CalendarSpec, year: int) -> DayTable:
    # The window is anchored on the instant's year rounded down to 4 years, so one table serves
    # every instant of that period; it is memoised on the (immutable) spec itself.
    anchor = year - year % 4
    tables = spec.__dict__.get("_tables")
    if tables is None:
        tables = spec.__dict__["_tables"] = {}
    table = tables.get(anchor)
    if table is None:
        table = tables[anchor] = day_table(spec, anchor)
    return table


def _local_minutes(dt: datetime) -> float:
    return dt.timestamp() / 60 + _OFFSET_MIN


def _from_local_minutes(local_min: float, tz) -> datetime:
    return datetime.fromtimestamp((local_min - _OFFSET_MIN) * 60, tz or VN_TZ)


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: float) -> datetime:
    """The instant when `minutes` of open time have elapsed after `start` (aware datetime)."""
    if spec.always_open or minutes <= 0:
        return start + timedelta(minutes=max(minutes, 0))
    table = _table(spec, start.year)
    pos = table.position(_local_minutes(start))
    if pos is not None:
        local = table.at_position(pos + minutes)
        if local is not None:
            return _from_local_minutes(local, start.tzinfo)
    return _add_business_minutes_slow(spec, start, minutes)


def add_business_minutes_pair(
    spec: CalendarSpec, start: datetime, first: float, second: float
) -> tuple[datetime, datetime]:
    """Two due times from one start (first response, resolution): one position lookup."""
    if spec.always_open:
        return start + timedelta(minutes=max(first, 0)), start + timedelta(minutes=max(second, 0))
    if first > 0 and second > 0:
        table = _table(spec, start.year)
        pos = table.position(_local_minutes(start))
        if pos is not None:
            a = table.at_position(pos + first)
            b = table.at_position(pos + second)
            if a is not None and b is not None:
                return _from_local_minutes(a, start.tzinfo), _from_local_minutes(b, start.tzinfo)
    return add_business_minutes(spec, start, first), add_business_minutes(spec, start, second)


def due_epochs(spec: CalendarSpec, t: int, first: float, second: float) -> tuple[int, int]:
    """``add_business_minutes_pair`` on epoch seconds: when `first` / `second` open minutes
    have elapsed after epoch `t`. For bulk writers (the demo's year of history) that work in
    integers and must not build two datetimes per row."""
    if not spec.always_open and first > 0 and second > 0:
        table = _table(spec, datetime.fromtimestamp(t, UTC).year)
        pos = table.position(t / 60 + _OFFSET_MIN)
        if pos is not None:
            a = table.at_position(pos + first)
            b = table.at_position(pos + second)
            if a is not None and b is not None:
                return int((a - _OFFSET_MIN) * 60), int((b - _OFFSET_MIN) * 60)
    start = datetime.fromtimestamp(t, UTC)
    first_at, second_at = add_business_minutes_pair(spec, start, first, second)
    return int(first_at.timestamp()), int(second_at.timestamp())


def business_minutes_between(spec: CalendarSpec, start: datetime, end: datetime) -> float:
    """Open minutes between two instants (used to pause and resume clocks)."""
    if end <= start:
        return 0.0
    if spec.always_open:
        return (end - start).total_seconds() / 60
    table = _table(spec, start.year)
    a = table.position(_local_minutes(start))
    b = table.position(_local_minutes(end))
    if a is not None and b is not None:
        return b - a
    return _business_minutes_between_slow(spec, start, end)


# --- reference implementation (outside the table window) ---------------------------------------


def _add_business_minutes_slow(spec: CalendarSpec, start: datetime, minutes: float) -> datetime:
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


def _business_minutes_between_slow(spec: CalendarSpec, start: datetime, end: datetime) -> float:
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
