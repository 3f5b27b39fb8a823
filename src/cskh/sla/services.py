import time
from datetime import datetime

from cskh.catalog.models import BusinessCalendar, CaseType, SlaPolicy
from cskh.sla.calendar import CalendarSpec, add_business_minutes

_SPEC_CACHE: dict[int, tuple[float, CalendarSpec]] = {}
_TTL = 60.0


def calendar_spec(calendar: BusinessCalendar) -> CalendarSpec:
    hit = _SPEC_CACHE.get(calendar.pk)
    now = time.monotonic()
    if hit and now - hit[0] < _TTL:
        return hit[1]
    if calendar.always_open:
        spec = CalendarSpec(always_open=True)
    else:
        days_off = frozenset(calendar.days_off.values_list("date", flat=True))
        spec = CalendarSpec.from_hours(
            calendar.hours, use_public_holidays=calendar.use_public_holidays, days_off=days_off
        )
    _SPEC_CACHE[calendar.pk] = (now, spec)
    return spec


def clear_cache() -> None:
    _SPEC_CACHE.clear()


def compute_due(
    *, policy: SlaPolicy | None, priority: int, start: datetime, rural: bool = False
) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) for a case opened at `start`."""
    if policy is None:
        return None, None
    spec = calendar_spec(policy.calendar)
    first, resolution = policy.targets(priority, rural=rural)
    return add_business_minutes(spec, start, first), add_business_minutes(spec, start, resolution)


def due_for_case_type(case_type: CaseType, *, priority: int, start: datetime, rural: bool = False):
    policy = case_type.sla_policy
    if policy is not None and not hasattr(policy, "_state"):
        policy = SlaPolicy.objects.select_related("calendar").get(pk=policy.pk)
    return compute_due(policy=policy, priority=priority, start=start, rural=rural)
