"""SLA: due times, per-case clocks (pause while waiting for the customer), escalations."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.catalog.models import BusinessCalendar, CaseType, SlaPolicy
from cskh.core import refcache
from cskh.sla.calendar import (
    CalendarSpec,
    add_business_minutes,
    add_business_minutes_pair,
    business_minutes_between,
    calendar_spec,
)
from cskh.sla.models import EscalationRule, SlaClock

log = logging.getLogger("cskh.sla")

DEFAULT_LADDER = ((75, "unit_lead"), (100, "shift_lead"), (150, "manager"))


def warm_up() -> None:
    """Build every calendar's day table (18 years of open hours and public holidays, ~0.5 s)
    before the first case needs it: `cskh serve` calls it in each worker at start."""
    now = timezone.now()
    for calendar in BusinessCalendar.objects.all():
        add_business_minutes(calendar_spec(calendar), now, 60)


def clear_cache() -> None:
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


def due_for_case_type(case_type: CaseType, *, priority: int, start: datetime, rural: bool = False):
    policy = case_type.sla_policy
    if policy is not None and not hasattr(policy, "_state"):
        policy = SlaPolicy.objects.select_related("calendar").get(pk=policy.pk)
    return compute_due(policy=policy, priority=priority, start=start, rural=rural)


# --- clocks ---------------------------------------------------------------------------------


def _store_due_times(case, first_due, due) -> None:
    from cskh.cases.services import set_due_times

    set_due_times(case=case, first_response_due_at=first_due, due_at=due)


def _ladder(case) -> list[tuple[int, str]]:
    return list(refcache.get(("sla.ladder", case.case_type_id), lambda: _load_ladder(case)))


def _load_ladder(case) -> tuple[tuple[int, str], ...]:
    rules = list(
        EscalationRule.objects.filter(is_active=True)
        .filter(Q(case_type__isnull=True) | Q(case_type_id=case.case_type_id))
        .values_list("percent", "target")
    )
    if not rules:
        return tuple(DEFAULT_LADDER)
    return tuple(sorted(set(rules)))


def _is_rural(case) -> bool:
    ward = None
    if case.service_point_id and case.service_point.ward_id:
        ward = case.service_point.ward
    elif case.customer.ward_id:
        ward = case.customer.ward
    return bool(ward and ward.is_rural)


def elapsed_now(clock: SlaClock, spec: CalendarSpec, now: datetime) -> float:
    if clock.state == SlaClock.State.RUNNING and clock.running_since:
        return clock.elapsed_minutes + business_minutes_between(spec, clock.running_since, now)
    return clock.elapsed_minutes


def _reschedule(
    clock: SlaClock, spec: CalendarSpec, ladder, *, store: bool = True, case=None
) -> None:
    """Recompute due times and the next escalation check from the running state; with store,
    also the case's due times (on `case` when given, else on clock.case)."""
    if clock.state != SlaClock.State.RUNNING:
        clock.next_check_at = None
        return
    since = clock.running_since
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
    if store:
        _store_due_times(case or clock.case, clock.first_response_due_at, clock.due_at)


@transaction.atomic(savepoint=False)  # part of opening the case: no savepoint round trips
def start_clock(*, case) -> SlaClock | None:
    policy = case.case_type.sla_policy
    if policy is None:
        return None
    first, target = policy.targets(case.priority, rural=_is_rural(case))
    clock = SlaClock(
        case=case,
        calendar_id=policy.calendar_id,
        policy_code=policy.code,
        started_at=case.created_at,
        first_target_minutes=first,
        target_minutes=target,
        running_since=case.created_at,
        first_response_due_at=case.first_response_due_at,
        due_at=case.due_at,
    )
    spec = calendar_spec(policy.calendar)
    _reschedule(clock, spec, _ladder(case), store=False)
    if clock.due_at != case.due_at or clock.first_response_due_at != case.first_response_due_at:
        _store_due_times(case, clock.first_response_due_at, clock.due_at)
    clock.save(force_insert=True)
    return clock


def _locked_clock(case) -> SlaClock | None:
    return (
        SlaClock.objects.select_for_update()
        .select_related("calendar")
        .filter(case_id=case.pk)
        .first()
    )


@transaction.atomic
def pause_clock(*, case, at: datetime | None = None) -> SlaClock | None:
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
def resume_clock(*, case, at: datetime | None = None) -> SlaClock | None:
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
    _reschedule(clock, spec, _ladder(case), case=case)
    clock.save()
    return clock


@transaction.atomic
def stop_clock(*, case, at: datetime | None = None) -> SlaClock | None:
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
def record_first_response(*, case, at: datetime | None = None) -> None:
    clock = _locked_clock(case)
    if clock is None or clock.first_responded_at is not None:
        return
    now = at or timezone.now()
    spec = calendar_spec(clock.calendar)
    clock.first_responded_at = now
    clock.first_response_met = elapsed_now(clock, spec, now) <= clock.first_target_minutes
    clock.save(update_fields=["first_responded_at", "first_response_met"])


# --- hooks (settings.CSKH_HOOKS) -------------------------------------------------------------


def on_case_opened(*, case, actor=None, **_):
    start_clock(case=case)


def on_case_transitioned(*, case, before, actor=None, **_):
    from cskh.cases.states import OPEN_STATUSES, PAUSED_STATUSES

    if case.status in PAUSED_STATUSES:
        pause_clock(case=case)
    elif case.status in OPEN_STATUSES:
        resume_clock(case=case)  # after waiting for the customer, or a reopen
    else:
        stop_clock(case=case)


def on_case_replied(*, case, event, actor=None, **_):
    record_first_response(case=case, at=event.created_at)


# --- escalation -------------------------------------------------------------------------------


def _recipients(case, target: str) -> list[tuple[str, object]]:
    """(email, user) pairs for an escalation target."""
    from cskh.org.models import User

    out: list[tuple[str, object]] = []
    if target == "unit_lead":
        if case.unit_id and case.unit.email:
            out.append((case.unit.email, None))
        if case.unit_id:
            users = User.objects.filter(
                unit_id=case.unit_id, is_active=True, role=User.Role.UNIT_STAFF, is_staff=True
            )
            if not users.exists():
                users = User.objects.filter(
                    unit_id=case.unit_id, is_active=True, role=User.Role.UNIT_STAFF
                )
            out += [(u.email, u) for u in users if u.email]
    elif target == "shift_lead":
        users = User.objects.filter(role=User.Role.SHIFT_LEAD, is_active=True)
        out += [(u.email, u) for u in users if u.email]
    elif target == "manager":
        users = User.objects.filter(role=User.Role.MANAGER, is_active=True)
        out += [(u.email, u) for u in users if u.email]
    return out


def _escalate(
    clock: SlaClock,
    case,
    percent: int,
    target: str,
    now: datetime,
    cache: dict | None = None,
    events: list[dict] | None = None,
) -> None:
    """Notify the step's recipients; its timeline event goes to `events` (written by the
    caller in one INSERT with the other steps fired for this clock) or is written at once."""
    from cskh.cases.services import add_event
    from cskh.notify.services import notify_address

    breach = percent >= 100
    key = ("recipients", target, case.unit_id)
    if cache is not None and key in cache:
        recipients = cache[key]
    else:
        recipients = _recipients(case, target)
        if cache is not None:
            cache[key] = recipients
    label = str(dict(EscalationRule.Target.choices).get(target, target))
    event = dict(
        kind="escalation",
        body=(
            _("Quá hạn SLA (%(p)s%% thời hạn): báo %(t)s.")
            if breach
            else _("Cảnh báo SLA (%(p)s%% thời hạn): báo %(t)s.")
        )
        % {"p": percent, "t": label},
        data={
            "percent": percent,
            "target": target,
            "level": clock.level,
            "recipients": [e for e, _u in recipients],
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
        },
        at=now,
    )
    if events is None:
        add_event(case=case, **event)
    else:
        events.append(event)
    context = {
        "case_number": case.number,
        "case_type": case.case_type.name,
        "unit_name": case.unit.name if case.unit_id else "",
        "percent": percent,
        "due_at": clock.due_at,
    }
    for email, user in recipients:
        notify_address(
            channel="email",
            to=email,
            template="sla_breach" if breach else "sla_warning",
            context=context,
            user=user,
            case=case,
            dedupe_key=f"sla:{case.pk}:{percent}:{target}:{email}",
        )


@transaction.atomic
def check_clock(*, case_id: int, now: datetime | None = None, cache: dict | None = None) -> int:
    """Fire every escalation step whose threshold has passed. Returns how many fired."""
    from cskh.cases.models import Case

    now = now or timezone.now()
    qs = SlaClock.objects.select_related("calendar").filter(case_id=case_id)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    else:
        qs = qs.select_for_update()
    clock = qs.first()
    if clock is None or clock.state != SlaClock.State.RUNNING:
        return 0
    if clock.next_check_at is None or clock.next_check_at > now:
        return 0
    case = Case.objects.select_related("case_type", "unit").get(pk=case_id)
    if not case.is_open:
        clock.next_check_at = None
        clock.save(update_fields=["next_check_at"])
        return 0
    spec = calendar_spec(clock.calendar)
    ladder = _ladder(case)  # per-process reference cache
    elapsed = elapsed_now(clock, spec, now)
    fired = 0
    events: list[dict] = []
    while clock.level < len(ladder):
        percent, target = ladder[clock.level]
        if elapsed + 1e-6 < clock.target_minutes * percent / 100:
            break
        clock.level += 1
        if percent >= 100 and clock.breached_at is None:
            clock.breached_at = now
        _escalate(clock, case, percent, target, now, cache, events)
        fired += 1
    if events:
        from cskh.cases.services import add_events

        add_events(case=case, events=events)
    _reschedule(clock, spec, ladder, store=False)
    clock.save()
    return fired


def due_clock_ids(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Cases whose next escalation threshold has passed: an index range scan on the partial
    index slaclock_next_check (only running clocks with a pending threshold are in it)."""
    now = now or timezone.now()
    return list(
        SlaClock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("case_id", flat=True)[:limit]
    )


def escalation_scan(*, now: datetime | None = None, limit: int = 1000) -> dict:
    """One scan: fire due escalations. Each clock is handled in its own short transaction and
    locked with SKIP LOCKED on PostgreSQL, so concurrent scans do not double-fire."""
    now = now or timezone.now()
    ids = due_clock_ids(now=now, limit=limit)
    cache: dict = {}  # escalation recipients, for this scan only
    fired = 0
    for case_id in ids:
        try:
            fired += check_clock(case_id=case_id, now=now, cache=cache)
        except Exception:
            log.exception("escalation check failed for case %s", case_id)
    return {"due": len(ids), "fired": fired}


def recompute_clock(*, case, at: datetime | None = None) -> SlaClock | None:
    """After a priority/type change: new targets, same elapsed time (nothing resets)."""
    with transaction.atomic():
        clock = _locked_clock(case)
        if clock is None:
            return start_clock(case=case)
        policy = case.case_type.sla_policy
        if policy is None:
            return clock
        clock.first_target_minutes, clock.target_minutes = policy.targets(
            case.priority, rural=_is_rural(case)
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
            _reschedule(clock, spec, _ladder(case), case=case)
            clock.save()
        return clock


def month_bounds(month: str) -> tuple[datetime, datetime]:
    from cskh.core.errors import DomainError

    try:
        year, mon = (int(x) for x in month.split("-"))
        start = timezone.make_aware(datetime(year, mon, 1))
    except (ValueError, TypeError) as exc:
        raise DomainError(
            _("Tháng không hợp lệ (YYYY-MM): %(m)s") % {"m": month}, code="bad_month"
        ) from exc
    end = timezone.make_aware(datetime(year + mon // 12, mon % 12 + 1, 1))
    return start, end


def backfill_clocks(
    *, now: datetime | None = None, fire_past: bool = False, batch: int = 5000
) -> dict:
    """Create the missing clocks of open cases (bulk imports, demo data, cases opened before the
    sla app was installed). Due times on the case are kept as stored.

    Thresholds already passed at `now` are taken as handled unless `fire_past` (a back-office
    import must not page every manager for years-old cases); the next scan then fires only what
    crosses from now on. Paused cases (waiting for the customer) get a paused clock whose elapsed
    time runs to `now`. Idempotent: cases that have a clock are skipped.
    """
    from cskh.cases.models import Case
    from cskh.cases.states import PAUSED_STATUSES

    now = now or timezone.now()
    ladders: dict[int, list] = {}
    policies = {
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
                ladders[case.case_type_id] = _ladder(case)
            ladder = ladders[case.case_type_id]
            first, target = policy.targets(case.priority, rural=_is_rural(case))
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
                    clock.level < len(ladder)
                    and elapsed + 1e-6 >= target * ladder[clock.level][0] / 100
                ):
                    clock.level += 1
                if elapsed > target:
                    clock.breached_at = now
            _reschedule(clock, spec, ladder, store=False)
            if case.status in PAUSED_STATUSES:
                clock.state = SlaClock.State.PAUSED
                clock.elapsed_minutes = elapsed
                clock.running_since = None
                clock.paused_at = now
                clock.next_check_at = None
            clocks.append(clock)
        SlaClock.objects.bulk_create(clocks, batch_size=1000, ignore_conflicts=True)
        created += len(clocks)
    return {"created": created}
