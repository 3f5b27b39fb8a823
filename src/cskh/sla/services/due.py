"""Due times: a policy's targets laid on its business calendar.

Pure computation (no writes): the first-response and resolution due times of a case, the
business minutes a clock has run, and, from a running clock, its due times and the moment its
next escalation threshold is reached. Only the sla app computes due times; it stores them on
the case through ``cskh.cases.services.set_due_times`` (see clocks.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from cskh.catalog.models import BusinessCalendar, SlaPolicy
from cskh.core import refcache
from cskh.sla.calendar import (
    CalendarSpec,
    add_business_minutes,
    add_business_minutes_pair,
    business_minutes_between,
    calendar_spec,
)
from cskh.sla.models import SlaClock

if TYPE_CHECKING:
    from cskh.cases.models import Case

Ladder = Sequence[tuple[int, str]]  # (percent of the target, escalation target), ascending


def warm_up() -> None:
    """Build every calendar's day table (18 years of open hours and public holidays)
    before the first case needs it: `cskh serve` calls it in each worker at start."""
    now = timezone.now()
    for calendar in BusinessCalendar.objects.all():
        add_business_minutes(calendar_spec(calendar), now, 60)


def clear_cache() -> None:
    """Drop the calendar specs (every process sees it: see core.refcache)."""
    refcache.invalidate("sla.calendar")


def compute_due(
    *,
    policy: SlaPolicy | None,
    priority: int,
    start: datetime,
    rural: bool = False,
    spec: CalendarSpec | None = None,
) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) for a case opened at `start`. `spec` may be passed
    by bulk callers that already hold the policy calendar's spec (calendar_spec)."""
    if policy is None:
        return None, None
    if spec is None:
        spec = calendar_spec(policy.calendar)
    # targets per (priority, rural), memoised on the policy instance (hot path in bulk)
    memo = policy.__dict__.get("_sla_targets")
    if memo is None:
        memo = policy.__dict__["_sla_targets"] = {}
    targets = memo.get((priority, rural))
    if targets is None:
        targets = memo[priority, rural] = policy.targets(priority, rural=rural)
    return add_business_minutes_pair(spec, start, targets[0], targets[1])


def is_rural(case: Case) -> bool:
    """Rural targets apply when the service point's ward (else the customer's) is rural."""
    ward = None
    if case.service_point and case.service_point.ward_id:
        ward = case.service_point.ward
    elif case.customer.ward_id:
        ward = case.customer.ward
    return bool(ward and ward.is_rural)


def elapsed_now(clock: SlaClock, spec: CalendarSpec, now: datetime) -> float:
    """Business minutes the clock has run up to `now`."""
    if clock.state == SlaClock.State.RUNNING and clock.running_since:
        return clock.elapsed_minutes + business_minutes_between(spec, clock.running_since, now)
    return clock.elapsed_minutes


def reschedule(clock: SlaClock, spec: CalendarSpec, ladder: Ladder) -> None:
    """Set the clock's due times and next escalation check from its running state (in memory;
    the caller saves the clock and, when the due times moved, stores them on the case)."""
    if clock.state != SlaClock.State.RUNNING:
        clock.next_check_at = None
        return
    since = clock.running_since
    assert since is not None, "a running clock has running_since"
    rem_first = clock.first_target_minutes - clock.elapsed_minutes
    rem = clock.target_minutes - clock.elapsed_minutes
    if clock.first_responded_at is None:
        clock.first_response_due_at = add_business_minutes(spec, since, rem_first)
    clock.due_at = add_business_minutes(spec, since, rem)
    nxt = None
    if clock.level < len(ladder):
        percent = ladder[clock.level][0]
        nxt = add_business_minutes(
            spec, since, clock.target_minutes * percent / 100 - clock.elapsed_minutes
        )
    clock.next_check_at = nxt
