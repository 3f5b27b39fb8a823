"""Schedules from forecasts, publish, leave and swaps, presence → adherence/occupancy, the
storm what-if, and the pages (role checks, data on them)."""

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from cskh.core.errors import Forbidden
from cskh.org.services import create_user
from cskh.wfm.models import (
    AgentProfile,
    ForecastRun,
    IntervalForecast,
    PresenceLog,
    Request,
    Schedule,
    Shift,
    StaffingQueue,
)
from cskh.wfm.services import adherence, schedules

DAY = datetime(2026, 6, 15).date()  # a Monday


@pytest.fixture
def team(db, center):
    users = [
        create_user(
            username=f"wfm{k:02d}",
            role="agent",
            unit=center,
            first_name="Lan",
            last_name=f"Trần{k}",
        )
        for k in range(20)
    ]
    for u in users:
        AgentProfile.objects.create(user=u)
    return users


@pytest.fixture
def forecast(db):
    queue = StaffingQueue.objects.create(
        code="TD", name="Tổng đài", channel="phone", model="c", aht_seconds=240
    )
    now = timezone.make_aware(datetime(2026, 6, 14, 23, 0))
    run = ForecastRun.objects.create(
        queue=queue, created_at=now, start=now, end=now, method="profile"
    )
    rows = []
    for d in range(7):
        midnight = timezone.make_aware(
            datetime.combine(DAY + timedelta(days=d), datetime.min.time())
        )
        for s in range(16, 40):  # 08:00–20:00
            rows.append(
                IntervalForecast(
                    run=run, start=midnight + timedelta(minutes=30 * s), calls=40.0, naive=40.0
                )
            )
    IntervalForecast.objects.bulk_create(rows)
    return queue


def test_requirement_from_the_latest_forecast(forecast):
    need = schedules.requirement(DAY, 2)
    assert need.shape == (2, 48)
    assert need[0, 20] >= 6  # 40 calls × 240 s / 1800 s = 5.3 Erlangs
    assert need[0, 10] == 0


def test_generate_publish_and_leave(forecast, team, lead):
    now = timezone.now()
    leave = schedules.request_leave(
        user=team[0],
        first_day=DAY,
        last_day=DAY + timedelta(days=2),
        reason="Việc gia đình",
        now=now,
    )
    schedules.decide(request=leave, approve=True, by=lead, now=now)
    schedule = schedules.generate(first_day=DAY, days=7, by=lead, now=now, time_limit=10)
    shifts = Shift.objects.filter(schedule=schedule)
    assert shifts.count() > 20
    assert not shifts.filter(user=team[0], day__lte=DAY + timedelta(days=2)).exists()
    assert schedule.stats["covered"] > 0.9 * schedule.stats["required"]
    with pytest.raises(Forbidden):
        schedules.publish(schedule=schedule, by=team[1], now=now)
    schedules.publish(schedule=schedule, by=lead, now=now)
    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.PUBLISHED


def test_swap_exchanges_the_shifts(forecast, team, lead):
    now = timezone.now()
    schedule = schedules.generate(first_day=DAY, days=7, by=lead, now=now, time_limit=10)
    a = Shift.objects.filter(schedule=schedule).order_by("id").first()
    b = (
        Shift.objects.filter(schedule=schedule, day=a.day)
        .exclude(user_id=a.user_id)
        .exclude(pattern=a.pattern)
        .first()
    )
    assert b is not None
    req = schedules.request_swap(user=a.user, shift=a, other=b, reason="", now=now)
    schedules.decide(request=req, approve=True, by=lead, now=now)
    a2, b2 = Shift.objects.get(pk=a.pk), Shift.objects.get(pk=b.pk)
    assert (a2.user_id, a2.pattern_id) == (a.user_id, b.pattern_id)
    assert (b2.user_id, b2.pattern_id) == (b.user_id, a.pattern_id)
    assert Request.objects.get(pk=req.pk).status == "approved"


def test_presence_hook_feeds_adherence_and_occupancy(forecast, team, lead, monkeypatch):
    from cskh.telephony.services import set_presence

    now = timezone.now()
    schedules.generate(first_day=DAY, days=1, by=lead, now=now, time_limit=10)
    shift = Shift.objects.select_related("pattern").order_by("starts_at").first()
    user = shift.user
    t0 = shift.starts_at

    # telephony fires presence_changed; wfm keeps the history
    set_presence(user=user, state="available")
    assert PresenceLog.objects.filter(user=user, state="available").exists()
    PresenceLog.objects.filter(user=user).delete()

    # 2 hours on the phones at 90 % busy, then offline: occupancy over the cap
    for k in range(4):
        start = t0 + timedelta(minutes=30 * k)
        PresenceLog.objects.create(user=user, state="available", at=start)
        PresenceLog.objects.create(user=user, state="on_call", at=start + timedelta(minutes=3))
    PresenceLog.objects.create(user=user, state="offline", at=t0 + timedelta(hours=2))
    rows = {r.user_id: r for r in adherence.adherence(DAY)}
    row = rows[user.pk]
    assert row.planned.sum() == 16  # 8 paid hours (the lunch hour is outside them)
    assert row.actual.sum() == 4
    assert row.adherence == pytest.approx(4 / 16)
    assert row.occupancy == pytest.approx(0.9)
    assert row.over_cap


def test_storm_what_if_needs_more_agents(forecast, team, lead):
    schedules.generate(first_day=DAY, days=1, by=lead, now=timezone.now(), time_limit=10)
    rows = adherence.what_if_storm(day=DAY, start_slot=20, hours=4, factor=3)
    by = {
        timezone.localtime(r.start).hour * 2 + (timezone.localtime(r.start).minute >= 30): r
        for r in rows
    }
    assert by[20].storm_calls == pytest.approx(120)
    assert by[30].storm_calls == pytest.approx(40)
    assert by[20].extra > 0 and by[20].service_level < 0.8
    assert by[20].required > by[30].required


def test_pages_for_leads_only(client, forecast, team, lead, agent):
    schedules.generate(first_day=DAY, days=7, by=lead, now=timezone.now(), time_limit=10)
    client.force_login(agent)
    assert client.get("/wfm/").status_code == 403
    client.force_login(lead)
    for url in ("/wfm/", "/wfm/roster/", "/wfm/adherence/", "/wfm/what-if/"):
        r = client.get(f"{url}?day={DAY.isoformat()}")
        assert r.status_code == 200, url
    body = client.get(f"/wfm/?day={DAY.isoformat()}").content.decode()
    assert "<svg" in body and "requirement-table" in body
    roster = client.get("/wfm/roster/").content.decode()
    assert "Trần1 Lan" in roster  # family name first


def test_bad_roster_form_is_a_message_not_a_500(client, lead):
    client.force_login(lead)
    r = client.post("/wfm/roster/generate", {"first_day": "x", "days": "7"})
    assert r.status_code == 302
    r = client.post("/wfm/roster/generate", {"first_day": "2026-06-15", "days": "99"})
    assert r.status_code == 302
    assert not Schedule.objects.exists()


def test_scheduled_heads_count_lunch_out(forecast, team, lead):
    schedules.generate(first_day=DAY, days=1, by=lead, now=timezone.now(), time_limit=10)
    heads = adherence.scheduled_heads(DAY)
    assert heads.sum() == 16 * Shift.objects.filter(day=DAY).count()
    assert isinstance(heads, np.ndarray)


def test_agent_sees_own_published_shifts_and_asks_for_leave(client, team, lead):
    today = timezone.localdate()
    schedule = Schedule.objects.create(first_day=today, last_day=today, created_at=timezone.now())
    pattern = schedules.ensure_patterns()[0]
    start = timezone.now() + timedelta(hours=1)
    mine = Shift.objects.create(
        schedule=schedule,
        user=team[0],
        day=today,
        pattern=pattern,
        starts_at=start,
        ends_at=start + timedelta(hours=9),
    )
    client.force_login(mine.user)
    assert "Chưa có ca nào" in client.get("/wfm/me/").content.decode()  # still a draft
    schedules.publish(schedule=schedule, by=lead, now=timezone.now())
    body = client.get("/wfm/me/").content.decode()
    assert mine.pattern.name in body
    r = client.post("/wfm/me/", {"first_day": "2026-13-01", "last_day": ""})
    assert r.status_code == 302 and not Request.objects.exists()
    r = client.post("/wfm/me/", {"first_day": today.isoformat(), "reason": "Ốm"})
    assert r.status_code == 302
    assert Request.objects.get().user == mine.user
    client.force_login(create_user(username="ql", role="manager"))
    assert client.get("/wfm/me/").status_code == 403  # managers have no shifts here
