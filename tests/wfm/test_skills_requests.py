"""Multi-skill rostering from per-queue forecasts, the swap request form, the requests page
with approval, and keyset paging of the requests and the roster."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cskh.org.services import create_user
from cskh.wfm import selectors
from cskh.wfm.models import (
    AgentProfile,
    ForecastRun,
    IntervalForecast,
    Request,
    Schedule,
    Shift,
    StaffingQueue,
)
from cskh.wfm.services import schedules

DAY = datetime(2026, 6, 15).date()  # a Monday


def _queue(code, channel, calls):
    queue = StaffingQueue.objects.create(
        code=code, name=code, channel=channel, model="c", aht_seconds=240
    )
    now = timezone.make_aware(datetime(2026, 6, 14, 23, 0))
    run = ForecastRun.objects.create(
        queue=queue, created_at=now, start=now, end=now, method="profile_ensemble"
    )
    rows = []
    for d in range(7):
        midnight = timezone.make_aware(
            datetime.combine(DAY + timedelta(days=d), datetime.min.time())
        )
        for s in range(16, 40):
            rows.append(
                IntervalForecast(
                    run=run, start=midnight + timedelta(minutes=30 * s), calls=calls, naive=calls
                )
            )
    IntervalForecast.objects.bulk_create(rows)
    return queue


@pytest.fixture
def two_queues(db):
    return _queue("TD", "phone", 40.0), _queue("ZL", "zalo", 12.0)


@pytest.fixture
def skilled_team(db, center, two_queues):
    phone, zalo = two_queues
    users = []
    for k in range(32):
        u = create_user(
            username=f"sk{k:02d}",
            role="agent",
            unit=center,
            first_name="An",
            last_name=f"Lê{k:02d}",
        )
        profile = AgentProfile.objects.create(user=u)
        if k < 19:
            profile.queues.add(phone)
        elif k < 26:
            profile.queues.add(zalo)
        else:
            profile.queues.add(phone, zalo)
        users.append(u)
    return users


def test_requirement_per_queue_sums_to_the_pooled_one(two_queues):
    by_queue = schedules.requirement_by_queue(DAY, 2)
    assert set(by_queue) == {"TD", "ZL"}
    assert (by_queue["TD"] + by_queue["ZL"] == schedules.requirement(DAY, 2)).all()
    assert by_queue["TD"][0, 20] > by_queue["ZL"][0, 20] > 0


def test_generate_gives_each_queue_agents_with_its_skill(skilled_team, two_queues, lead):
    phone, zalo = two_queues
    schedule = schedules.generate(first_day=DAY, days=7, by=lead, now=timezone.now(), time_limit=10)
    shifts = list(Shift.objects.filter(schedule=schedule).select_related("queue"))
    assert {s.queue_id for s in shifts} == {phone.pk, zalo.pk}
    skills = {
        p.user_id: {q.pk for q in p.queues.all()}
        for p in AgentProfile.objects.prefetch_related("queues")
    }
    assert all(s.queue_id in skills[s.user_id] for s in shifts)
    stats = schedule.stats
    assert stats["covered"] >= 0.9 * stats["required"]
    # stage 2 found an agent with the skill for (nearly) every head stage 1 planned
    # (measured: 181 of 192; the rest rule between days binds a few)
    assert stats["heads_placed"] >= 0.9 * stats["heads_planned"]


def _published_shifts(team):
    today = timezone.localdate()
    schedule = Schedule.objects.create(
        first_day=today, last_day=today, created_at=timezone.now(), status="published"
    )
    patterns = schedules.ensure_patterns()
    out = []
    for k, user in enumerate(team[:2]):
        start = timezone.now() + timedelta(hours=1 + k)
        out.append(
            Shift.objects.create(
                schedule=schedule,
                user=user,
                day=today,
                pattern=patterns[k],
                starts_at=start,
                ends_at=start + timedelta(hours=9),
            )
        )
    return out


def test_agent_asks_a_swap_and_the_lead_approves_it_on_the_requests_page(
    client, skilled_team, lead
):
    mine, theirs = _published_shifts(skilled_team)
    client.force_login(mine.user)
    body = client.get("/wfm/me/").content.decode()
    assert 'id="swap-form"' in body and f'value="{theirs.pk}"' in body
    r = client.post("/wfm/me/swap", {"shift": "x", "swap_with": theirs.pk})
    assert r.status_code == 302 and not Request.objects.exists()
    # someone else's shift as "mine": not yours → 404
    assert (
        client.post("/wfm/me/swap", {"shift": theirs.pk, "swap_with": mine.pk}).status_code == 404
    )
    r = client.post("/wfm/me/swap", {"shift": mine.pk, "swap_with": theirs.pk, "reason": "Đi khám"})
    assert r.status_code == 302
    req = Request.objects.get()
    assert (req.kind, req.shift_id, req.swap_with_id) == ("swap", mine.pk, theirs.pk)
    assert client.get("/wfm/requests/").status_code == 403  # agents do not decide
    client.force_login(lead)
    page = client.get("/wfm/requests/").content.decode()
    assert f'id="request-{req.pk}"' in page and "Đi khám" in page
    r = client.post(f"/wfm/requests/{req.pk}/decide", {"decision": "approve", "back": "requests"})
    assert r.status_code == 302 and r["Location"].endswith("/wfm/requests/")
    assert Request.objects.get(pk=req.pk).status == "approved"
    # the two agents exchange what they work (the swap service's meaning)
    assert Shift.objects.get(pk=mine.pk).pattern_id == theirs.pattern_id
    assert Shift.objects.get(pk=theirs.pk).pattern_id == mine.pattern_id
    assert f'id="request-{req.pk}"' not in client.get("/wfm/requests/").content.decode()
    assert f'id="request-{req.pk}"' in client.get("/wfm/requests/?status=all").content.decode()


def test_requests_keyset_pages_cover_every_row_once(skilled_team, lead, client):
    now = timezone.now()
    for k in range(7):
        schedules.request_leave(
            user=skilled_team[k], first_day=DAY, last_day=DAY, reason=f"r{k}", now=now
        )
    seen, cursor = [], None
    while True:
        page = selectors.requests_page(status="pending", before=cursor, size=3)
        seen += [r.pk for r in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(Request.objects.values_list("pk", flat=True), reverse=True)
    client.force_login(lead)
    body = client.get("/wfm/requests/?status=pending").content.decode()
    assert "next-page" not in body  # 7 < 50 rows: one page
    assert client.get("/wfm/requests/?before=abc").status_code == 200  # bad cursor ignored


def test_roster_keyset_pages_agents_by_name(skilled_team, lead):
    schedule = Schedule.objects.create(first_day=DAY, last_day=DAY, created_at=timezone.now())
    pattern = schedules.ensure_patterns()[0]
    start = timezone.make_aware(datetime.combine(DAY, datetime.min.time())) + timedelta(hours=8)
    for u in skilled_team:
        Shift.objects.create(
            schedule=schedule,
            user=u,
            day=DAY,
            pattern=pattern,
            starts_at=start,
            ends_at=start + timedelta(hours=9),
        )
    names, cursor = [], None
    while True:
        shifts, cursor = selectors.roster_agents_page(
            schedule_id=schedule.pk, days=[DAY], after_user=cursor, size=5
        )
        names += [s.user.last_name for s in shifts]
        if cursor is None:
            break
    assert names == sorted(u.last_name for u in skilled_team)
