"""Demo content for the workforce pages: the hotline queue, agent profiles, a forecast from
the demo's call history, a published two-week roster, presence for yesterday and this
morning (adherence), and a pending leave request. Called by `cskh demo`."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from cskh.org import permissions
from cskh.org.models import User
from cskh.wfm.models import AgentProfile, PresenceLog, Request, Schedule, Shift, StaffingQueue
from cskh.wfm.services import forecasts, schedules


def install_demo(*, now: datetime, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    queue, _created = StaffingQueue.objects.get_or_create(
        code="HOTLINE",
        defaults={
            "name": "Tổng đài chăm sóc khách hàng",
            "channel": "phone",
            "model": "a",
            "aht_seconds": 300,
            "target_seconds": 20,
            "patience_seconds": 180,
        },
    )
    agents = list(
        User.objects.filter(role__in=permissions.CALL_TAKER_ROLES, is_active=True).order_by("pk")
    )
    for k, user in enumerate(agents):
        AgentProfile.objects.get_or_create(user=user, defaults={"night_ok": k % 3 != 0})
    run = forecasts.run_forecast(queue, now=now, horizon_days=14, history_days=120, reason="demo")
    today = timezone.localtime(now).date()
    monday = today - timedelta(days=today.weekday())
    lead = User.objects.filter(role=User.Role.SHIFT_LEAD).first()
    if agents:
        Request.objects.get_or_create(
            kind=Request.Kind.LEAVE,
            user=agents[-1],
            first_day=today + timedelta(days=3),
            defaults={
                "last_day": today + timedelta(days=4),
                "reason": "Việc gia đình",
                "created_at": now,
            },
        )
    schedule = None
    if agents and not Schedule.objects.exists():
        schedule = schedules.generate(first_day=monday, days=14, by=None, now=now, time_limit=10)
        if lead is not None:
            schedules.publish(schedule=schedule, by=lead, now=now)
    logs = _presence(now=now, rng=rng)
    return {
        "forecast_intervals": run.intervals.count() if run else 0,
        "shifts": Shift.objects.filter(schedule=schedule).count() if schedule else 0,
        "presence_rows": logs,
    }


def _presence(*, now: datetime, rng: random.Random) -> int:
    """Presence changes for yesterday's and today's shifts (up to now): mostly on time, some
    late starts and long breaks, busy most of each half-hour."""
    if PresenceLog.objects.exists():
        return 0
    today = timezone.localtime(now).date()
    rows = []
    for sh in Shift.objects.filter(day__in=[today - timedelta(days=1), today]).select_related(
        "pattern"
    ):
        late = timedelta(minutes=rng.choice([0, 0, 0, 5, 20, 45]))
        t = sh.starts_at + late
        lunch_at = (
            sh.starts_at + timedelta(minutes=sh.pattern.lunch_after_minutes)
            if sh.pattern.lunch_after_minutes is not None
            else None
        )
        busy = rng.uniform(0.6, 0.95)
        while t < sh.ends_at and t < now:
            if lunch_at is not None and lunch_at <= t < lunch_at + timedelta(
                minutes=sh.pattern.lunch_minutes
            ):
                rows.append(PresenceLog(user_id=sh.user_id, state="break", at=t))
                t = lunch_at + timedelta(minutes=sh.pattern.lunch_minutes)
                continue
            rows.append(PresenceLog(user_id=sh.user_id, state="available", at=t))
            rows.append(
                PresenceLog(
                    user_id=sh.user_id,
                    state="on_call",
                    at=t + timedelta(minutes=round(30 * (1 - busy))),
                )
            )
            t += timedelta(minutes=30)
        rows.append(PresenceLog(user_id=sh.user_id, state="offline", at=min(t, now)))
    PresenceLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
