"""Escalation: the ladder of thresholds per case type, and the scan that fires them.

A running clock carries ``next_check_at``, the moment its next threshold (a percentage of the
resolution target in business time) is reached; ``escalation_scan`` picks the clocks whose
moment has passed and fires every step they crossed: a timeline event on the case and an email
to the step's recipients.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases.models import Case
from cskh.cases.services import add_event, add_events
from cskh.core import refcache
from cskh.notify.services import notify_address
from cskh.org.models import User
from cskh.sla.calendar import calendar_spec
from cskh.sla.models import EscalationRule, SlaClock
from cskh.sla.services.due import Ladder, elapsed_now, reschedule

log = logging.getLogger("cskh.sla")

DEFAULT_LADDER = ((75, "unit_lead"), (100, "shift_lead"), (150, "manager"))


def ladder(case: Case) -> list[tuple[int, str]]:
    """The active escalation steps for the case's type (type rules and general rules; the
    default ladder when there are none), ascending by percent."""
    return list(refcache.get(("sla.ladder", case.case_type_id), lambda: _load_ladder(case)))


def _load_ladder(case: Case) -> tuple[tuple[int, str], ...]:
    rules = list(
        EscalationRule.objects.filter(is_active=True)
        .filter(Q(case_type__isnull=True) | Q(case_type_id=case.case_type_id))
        .values_list("percent", "target")
    )
    if not rules:
        return tuple(DEFAULT_LADDER)
    return tuple(sorted(set(rules)))


def _recipients(case: Case, target: str) -> list[tuple[str, object]]:
    """(email, user) pairs for an escalation target."""
    out: list[tuple[str, object]] = []
    if target == "unit_lead":
        if case.unit and case.unit.email:
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
    case: Case,
    percent: int,
    target: str,
    now: datetime,
    cache: dict[tuple[Any, ...], Any] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> None:
    """Notify the step's recipients; its timeline event goes to `events` (written by the
    caller in one INSERT with the other steps fired for this clock) or is written at once."""
    breach = percent >= 100
    key = ("recipients", target, case.unit_id)
    if cache is not None and key in cache:
        recipients = cache[key]
    else:
        recipients = _recipients(case, target)
        if cache is not None:
            cache[key] = recipients
    label = str(dict(EscalationRule.Target.choices).get(target, target))
    event: dict[str, Any] = dict(  # add_event keyword arguments
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
        "unit_name": case.unit.name if case.unit else "",
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
def check_clock(
    *, case_id: int, now: datetime | None = None, cache: dict[tuple[Any, ...], Any] | None = None
) -> int:
    """Fire every escalation step whose threshold has passed. Returns how many fired."""
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
    steps: Ladder = ladder(case)  # per-process reference cache
    elapsed = elapsed_now(clock, spec, now)
    fired = 0
    events: list[dict[str, Any]] = []
    while clock.level < len(steps):
        percent, target = steps[clock.level]
        if elapsed + 1e-6 < clock.target_minutes * percent / 100:
            break
        clock.level += 1
        if percent >= 100 and clock.breached_at is None:
            clock.breached_at = now
        _escalate(clock, case, percent, target, now, cache, events)
        fired += 1
    if events:
        add_events(case=case, events=events)
    reschedule(clock, spec, steps)
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


def escalation_scan(*, now: datetime | None = None, limit: int = 1000) -> dict[str, Any]:
    """One scan: fire due escalations. Each clock is handled in its own short transaction and
    locked with SKIP LOCKED on PostgreSQL, so concurrent scans do not double-fire."""
    now = now or timezone.now()
    ids = due_clock_ids(now=now, limit=limit)
    cache: dict[tuple[Any, ...], Any] = {}  # escalation recipients, for this scan only
    fired = 0
    for case_id in ids:
        try:
            fired += check_clock(case_id=case_id, now=now, cache=cache)
        except Exception:
            log.exception("escalation check failed for case %s", case_id)
    return {"due": len(ids), "fired": fired}
