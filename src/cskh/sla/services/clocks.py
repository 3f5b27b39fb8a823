"""Clock lifecycle: one SlaClock per case, started when the case opens, paused while the case
waits for the customer, resumed, stopped when it closes, recomputed after a priority change.

The sla app alone computes due times; the cases app only stores them and never imports sla (it
reaches this module through the hooks in settings.CSKH_HOOKS, listed at the end of this file).
A new case gets them before its INSERT (case_opening); every later move is written through
``cskh.cases.services.set_due_times``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cskh.cases.models import Case, CaseEvent
from cskh.cases.services import set_due_times
from cskh.cases.states import OPEN_STATUSES, PAUSED_STATUSES
from cskh.catalog.models import SlaPolicy
from cskh.core import dbstats
from cskh.core.types import Actor
from cskh.sla.calendar import CalendarSpec, business_minutes_between, calendar_spec
from cskh.sla.models import SlaClock
from cskh.sla.services.due import (
    Ladder,
    compute_due,
    elapsed_now,
    is_rural,
    reschedule,
)
from cskh.sla.services.escalation import ladder


def _reschedule_and_store(clock: SlaClock, spec: CalendarSpec, steps: Ladder, case: Case) -> None:
    """Recompute the running clock's due times and store them on the case."""
    reschedule(clock, spec, steps)
    set_due_times(case=case, first_response_due_at=clock.first_response_due_at, due_at=clock.due_at)


@transaction.atomic(savepoint=False)  # part of opening the case: no savepoint round trips
def start_clock(*, case: Case) -> SlaClock | None:
    """Start the case's clock at its creation time and store its due times on the case."""
    policy = case.case_type.sla_policy
    if policy is None:
        return None
    first, target = policy.targets(case.priority, rural=is_rural(case))
    clock = SlaClock(
        case=case,
        calendar_id=policy.calendar_id,
        policy_code=policy.code,
        started_at=case.created_at,
        first_target_minutes=first,
        target_minutes=target,
        running_since=case.created_at,
    )
    reschedule(clock, calendar_spec(policy.calendar), ladder(case))
    if (clock.first_response_due_at, clock.due_at) != (case.first_response_due_at, case.due_at):
        set_due_times(
            case=case, first_response_due_at=clock.first_response_due_at, due_at=clock.due_at
        )
    clock.save(force_insert=True)
    return clock


def _locked_clock(case: Case) -> SlaClock | None:
    return (
        SlaClock.objects.select_for_update()
        .select_related("calendar")
        .filter(case_id=case.pk)
        .first()
    )


@transaction.atomic
def pause_clock(*, case: Case, at: datetime | None = None) -> SlaClock | None:
    clock = _locked_clock(case)
    if clock is None or clock.state != SlaClock.State.RUNNING:
        return clock
    now = at or timezone.now()
    spec = calendar_spec(clock.calendar)
    clock.elapsed_minutes = elapsed_now(clock, spec, now)
    clock.state = SlaClock.State.PAUSED
    clock.running_since = None
    clock.paused_at = now
    clock.next_check_at = None
    clock.save()
    return clock


@transaction.atomic
def resume_clock(*, case: Case, at: datetime | None = None) -> SlaClock | None:
    clock = _locked_clock(case)
    if clock is None or clock.state == SlaClock.State.RUNNING:
        return clock
    now = at or timezone.now()
    spec = calendar_spec(clock.calendar)
    if clock.state == SlaClock.State.PAUSED and clock.paused_at:
        clock.paused_minutes += business_minutes_between(spec, clock.paused_at, now)
    clock.state = SlaClock.State.RUNNING
    clock.running_since = now
    clock.paused_at = None
    clock.stopped_at = None
    clock.met = None
    _reschedule_and_store(clock, spec, ladder(case), case)
    clock.save()
    return clock


@transaction.atomic
def stop_clock(*, case: Case, at: datetime | None = None) -> SlaClock | None:
    clock = _locked_clock(case)
    if clock is None or clock.state == SlaClock.State.STOPPED:
        return clock
    now = at or timezone.now()
    spec = calendar_spec(clock.calendar)
    clock.elapsed_minutes = elapsed_now(clock, spec, now)
    clock.state = SlaClock.State.STOPPED
    clock.running_since = None
    clock.paused_at = None
    clock.stopped_at = now
    clock.next_check_at = None
    clock.met = clock.elapsed_minutes <= clock.target_minutes + 1e-6
    if clock.met is False and clock.breached_at is None:
        clock.breached_at = now
    if clock.first_response_met is None and clock.first_responded_at is None:
        clock.first_response_met = clock.elapsed_minutes <= clock.first_target_minutes
    clock.save()
    return clock


@transaction.atomic
def record_first_response(*, case: Case, at: datetime | None = None) -> None:
    clock = _locked_clock(case)
    if clock is None or clock.first_responded_at is not None:
        return
    now = at or timezone.now()
    spec = calendar_spec(clock.calendar)
    clock.first_responded_at = now
    clock.first_response_met = elapsed_now(clock, spec, now) <= clock.first_target_minutes
    clock.save(update_fields=["first_responded_at", "first_response_met"])


def recompute_clock(*, case: Case, at: datetime | None = None) -> SlaClock | None:
    """After a priority/type change: new targets, same elapsed time (nothing resets)."""
    with transaction.atomic():
        clock = _locked_clock(case)
        if clock is None:
            return start_clock(case=case)
        policy = case.case_type.sla_policy
        if policy is None:
            return clock
        clock.first_target_minutes, clock.target_minutes = policy.targets(
            case.priority, rural=is_rural(case)
        )
        clock.calendar_id = policy.calendar_id
        clock.policy_code = policy.code
        clock.save()
        clock.refresh_from_db()
        if clock.state == SlaClock.State.RUNNING:
            now = at or timezone.now()
            spec = calendar_spec(clock.calendar)
            clock.elapsed_minutes = elapsed_now(clock, spec, now)
            clock.running_since = now
            _reschedule_and_store(clock, spec, ladder(case), case)
            clock.save()
        return clock


def backfill_clocks(
    *, now: datetime | None = None, fire_past: bool = False, batch: int = 5000
) -> dict[str, Any]:
    """Create the missing clocks of open cases (bulk imports, demo data, cases opened before the
    sla app was installed). Due times on the case are kept as stored.

    Thresholds already passed at `now` are taken as handled unless `fire_past` (a back-office
    import must not page every manager for years-old cases); the next scan then fires only what
    crosses from now on. Paused cases (waiting for the customer) get a paused clock whose elapsed
    time runs to `now`. Idempotent: cases that have a clock are skipped.
    """
    now = now or timezone.now()
    ladders: dict[int, Ladder] = {}
    policies: dict[int | None, SlaPolicy] = {  # keyed like CaseType.sla_policy_id
        p.pk: p for p in SlaPolicy.objects.select_related("calendar").prefetch_related("case_types")
    }
    created = 0
    last_id = 0
    while True:
        chunk = list(
            Case.objects.filter(
                is_open=True,
                pk__gt=last_id,
                sla_clock__isnull=True,
                case_type__sla_policy__isnull=False,
            )
            .select_related("case_type", "service_point__ward", "customer__ward")
            .order_by("pk")[:batch]
        )
        if not chunk:
            break
        last_id = chunk[-1].pk
        clocks = []
        for case in chunk:
            policy = policies[case.case_type.sla_policy_id]
            spec = calendar_spec(policy.calendar)
            if case.case_type_id not in ladders:
                ladders[case.case_type_id] = ladder(case)
            steps = ladders[case.case_type_id]
            first, target = policy.targets(case.priority, rural=is_rural(case))
            clock = SlaClock(
                case_id=case.pk,
                calendar_id=policy.calendar_id,
                policy_code=policy.code,
                started_at=case.created_at,
                first_target_minutes=first,
                target_minutes=target,
                running_since=case.created_at,
                first_responded_at=case.first_responded_at,
            )
            elapsed = business_minutes_between(spec, case.created_at, now)
            if not fire_past:
                while (
                    clock.level < len(steps)
                    and elapsed + 1e-6 >= target * steps[clock.level][0] / 100
                ):
                    clock.level += 1
                if elapsed > target:
                    clock.breached_at = now
            reschedule(clock, spec, steps)
            if case.status in PAUSED_STATUSES:
                clock.state = SlaClock.State.PAUSED
                clock.elapsed_minutes = elapsed
                clock.running_since = None
                clock.paused_at = now
                clock.next_check_at = None
            clocks.append(clock)
        SlaClock.objects.bulk_create(clocks, batch_size=1000, ignore_conflicts=True)
        created += len(clocks)
    dbstats.analyze([SlaClock], rows=created)
    return {"created": created}


# --- hooks (settings.CSKH_HOOKS) -------------------------------------------------------------


def on_case_opening(*, case: Case, **_: object) -> None:
    """case_opening (the case is not saved yet): its due times, stored with the row's INSERT
    (one write of the case table's indexes instead of an INSERT and an UPDATE)."""
    case.first_response_due_at, case.due_at = compute_due(
        policy=case.case_type.sla_policy,
        priority=case.priority,
        start=case.created_at,
        rural=is_rural(case),
    )


def on_case_opened(*, case: Case, actor: Actor = None, **_: object) -> None:
    """case_opened: start the clock (its due times are those set at case_opening, stored
    again only if they differ)."""
    start_clock(case=case)


def on_case_transitioned(*, case: Case, before: str, actor: Actor = None, **_: object) -> None:
    if case.status in PAUSED_STATUSES:
        pause_clock(case=case)
    elif case.status in OPEN_STATUSES:
        resume_clock(case=case)  # after waiting for the customer, or a reopen
    else:
        stop_clock(case=case)


def on_case_replied(*, case: Case, event: CaseEvent, actor: Actor = None, **_: object) -> None:
    record_first_response(case=case, at=event.created_at)


def on_case_priority_changed(*, case: Case, at: datetime | None = None, **_: object) -> None:
    """case_priority_changed: new targets from the new priority (elapsed time is kept)."""
    recompute_clock(case=case, at=at)


def backfill_closed_clocks(*, batch: int = 5000) -> dict[str, Any]:
    """Stopped clocks for closed cases that have none (bulk imports, demo history), so the SLA
    report counts every past month. Due times are the case's stored ones; met = resolved by
    its due time; elapsed = business minutes from opening to resolution. Idempotent."""
    policies = {p.pk: p for p in SlaPolicy.objects.select_related("calendar")}
    specs = {pk: calendar_spec(p.calendar) for pk, p in policies.items()}
    created = 0
    last_id = 0
    while True:
        chunk = list(
            Case.objects.filter(
                is_open=False,
                pk__gt=last_id,
                sla_clock__isnull=True,
                resolved_at__isnull=False,
                case_type__sla_policy__isnull=False,
            )
            .order_by("pk")
            .values_list(
                "pk",
                "case_type__sla_policy_id",
                "priority",
                "created_at",
                "first_response_due_at",
                "first_responded_at",
                "due_at",
                "resolved_at",
            )[:batch]
        )
        if not chunk:
            break
        last_id = chunk[-1][0]
        clocks = []
        for pk, policy_id, priority, opened, first_due, first_at, due, resolved in chunk:
            if resolved is None:  # excluded by the filter; narrows the type
                continue
            policy = policies[policy_id]
            first, target = policy.targets(priority)
            clocks.append(
                SlaClock(
                    case_id=pk,
                    calendar_id=policy.calendar_id,
                    policy_code=policy.code,
                    state=SlaClock.State.STOPPED,
                    started_at=opened,
                    first_target_minutes=first,
                    target_minutes=target,
                    elapsed_minutes=business_minutes_between(specs[policy_id], opened, resolved),
                    first_responded_at=first_at,
                    first_response_due_at=first_due,
                    due_at=due,
                    breached_at=due if due is not None and resolved > due else None,
                    stopped_at=resolved,
                    met=None if due is None else resolved <= due,
                    first_response_met=(
                        None if first_due is None or first_at is None else first_at <= first_due
                    ),
                )
            )
        SlaClock.objects.bulk_create(clocks, batch_size=1000, ignore_conflicts=True)
        created += len(clocks)
    return {"created": created}
