"""Rollups: a day recomputed from its rows (cases, calls), hooks marking past days dirty,
the refresh job and the rebuild command."""

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from cskh.reports.models import CallInterval, CaseDay, CaseHour, DirtyDay
from cskh.reports.services import rollups

pytestmark = pytest.mark.django_db


def local(y, m, d, h=9, mi=0):
    return timezone.make_aware(datetime(y, m, d, h, mi))


def test_case_day_counts_fcr_sla_repeat_and_open(world, make_case, hours):
    d = local(2026, 3, 10)
    make_case(d, resolved_after=hours(1), due_after=hours(4), resolved_on_first_contact=True)
    make_case(d + hours(2), resolved_after=hours(10), due_after=hours(4))  # late, repeat
    make_case(d + hours(3), channel="zalo", due_after=hours(1))  # open, past due
    n = rollups.recompute_cases(d.date(), d.date(), now=d + hours(48))
    assert n == 3
    phone = CaseDay.objects.get(day=d.date(), channel="phone")
    assert (phone.opened, phone.first_contact, phone.resolved) == (2, 1, 2)
    assert (phone.sla_met, phone.sla_breached, phone.open_now) == (1, 1, 0)
    assert phone.repeat_7d == 1  # the same customer again within 7 days
    assert phone.resolve_minutes == pytest.approx(60 + 600)
    zalo = CaseDay.objects.get(day=d.date(), channel="zalo")
    assert (zalo.opened, zalo.open_now, zalo.sla_breached, zalo.repeat_7d) == (1, 1, 1, 1)
    hours_rows = dict(CaseHour.objects.values_list("hour", "opened"))
    assert hours_rows == {9: 1, 11: 1, 12: 1}  # (day, hour, channel) cells
    # recomputing is idempotent (delete + insert of the day)
    rollups.recompute_cases(d.date(), d.date(), now=d + hours(48))
    assert CaseDay.objects.filter(day=d.date()).count() == 2


def test_repeat_counts_a_case_from_the_previous_days(world, make_case):
    make_case(local(2026, 3, 1))
    make_case(local(2026, 3, 6))  # 5 days later: repeat
    make_case(local(2026, 3, 20))  # 14 days later: not
    rollups.recompute_cases(local(2026, 3, 6).date(), local(2026, 3, 20).date())
    assert CaseDay.objects.get(day=local(2026, 3, 6).date()).repeat_7d == 1
    assert CaseDay.objects.get(day=local(2026, 3, 20).date()).repeat_7d == 0


def test_calls_service_level_abandon_and_handling_time(world, agent):
    from cskh.cases.models import Interaction
    from cskh.telephony.models import CallWrapUp

    t = local(2026, 3, 10, 14)
    fast = Interaction.objects.create(
        agent=agent,
        started_at=t,
        answered_at=t + timedelta(seconds=10),
        ended_at=t + timedelta(seconds=190),
        duration_seconds=180,
        state="ended",
    )
    CallWrapUp.objects.create(interaction=fast, agent=agent, outcome="info", wrap_seconds=30, at=t)
    Interaction.objects.create(
        agent=agent,
        started_at=t + timedelta(minutes=5),
        answered_at=t + timedelta(minutes=5, seconds=45),
        duration_seconds=60,
        state="ended",
    )
    Interaction.objects.create(agent=agent, started_at=t + timedelta(minutes=9), state="missed")
    rollups.recompute_calls(t.date(), t.date())
    row = CallInterval.objects.get(day=t.date(), hour=14)
    assert (row.offered, row.answered, row.answered_in_sl, row.abandoned) == (3, 2, 1, 1)
    assert (row.talk_seconds, row.wrap_seconds) == (240, 30)
    assert row.team_id == agent.unit_id


def test_transition_of_an_old_case_marks_its_day_and_refresh_recomputes(world, make_case):
    from cskh.cases import services as case_services

    old = timezone.now() - timedelta(days=3)
    case = make_case(old, due_after=timedelta(days=10))
    rollups.recompute_cases(old.date(), timezone.localdate())
    assert CaseDay.objects.get(day=timezone.localtime(old).date()).resolved == 0
    case_services.transition(case=case, to="in_progress")
    case_services.transition(case=case, to="resolved", note="Đã xử lý xong")
    assert DirtyDay.objects.filter(kind="cases", day=timezone.localtime(old).date()).exists()
    done = rollups.refresh()
    assert done["dirty_days"] == 1
    assert not DirtyDay.objects.exists()
    assert CaseDay.objects.get(day=timezone.localtime(old).date()).resolved == 1


def test_case_opened_today_marks_nothing(world, make_case):
    from cskh.reports.services.rollups import on_case_changed

    on_case_changed(case=make_case(timezone.now()))
    assert not DirtyDay.objects.exists()


def test_rebuild_command_with_progress(world, make_case, capsys):
    make_case(local(2026, 1, 15))
    make_case(local(2026, 2, 20), channel="email")
    call_command("reports", "rebuild", "--from", "2026-01-01", "--to", "2026-02-28")
    out, err = capsys.readouterr()
    assert "rebuilt 59 days: 2 cases" in out
    assert "rollups" in err and "59/59" in err  # the tqdm progress bar
    assert CaseDay.objects.filter(day__lt="2026-03-01").count() == 2


def test_whole_months_read_from_the_month_table_match_the_days(world, make_case):
    from cskh.org.models import User

    manager = User.objects.create(username="ql", role="manager")
    from cskh.reports import selectors
    from cskh.reports.models import CaseMonth

    for day in (28, 1, 15, 2):
        make_case(local(2026, 1 if day == 28 else 2 if day in (1, 15) else 3, day))
    make_case(local(2026, 2, 10), channel="zalo")
    rollups.rebuild(local(2026, 1, 1).date(), local(2026, 3, 31).date())
    assert CaseMonth.objects.filter(month="2026-02-01").count() == 2
    f = selectors.filters_for(
        manager, start=local(2026, 1, 20).date(), end=local(2026, 3, 5).date()
    )
    assert selectors._split(f)[1] == (local(2026, 2, 1).date(), local(2026, 3, 1).date())
    rep = selectors.report("contacts_channel", user=manager, filters=f)
    assert {r["label"]: r["value"] for r in rep.rows} == {"Điện thoại": 4, "Zalo": 1}
    team = selectors.filters_for(manager, start=f.start, end=f.end, team_id=0 or None)
    assert (
        sum(r["value"] for r in selectors.report("contacts_type", user=manager, filters=team).rows)
        == 5
    )
