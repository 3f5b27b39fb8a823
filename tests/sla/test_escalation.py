"""Escalation ladder (75 % → unit lead, 100 % → shift lead, 150 % → manager), idempotent scans,
the `sla_scan` command and task, and the compliance report (selector, API, page)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cskh.cases import services as cases
from cskh.cases.models import CaseEvent
from cskh.catalog.services import get_case_type
from cskh.notify.models import Notification
from cskh.sla import selectors
from cskh.sla import services as sla
from cskh.sla.models import EscalationRule, SlaClock


@pytest.fixture
def people(world, field_unit):
    from cskh.org.services import create_user

    field_unit.email = "dlsg@evn.test"
    field_unit.save()
    return {
        "unit_lead": create_user(
            username="to_truong",
            role="unit_staff",
            unit=field_unit,
            is_staff=True,
            email="totruong@evn.test",
        ),
        "shift_lead": create_user(
            username="ca_truong", role="shift_lead", unit=world["center"], email="ca@cskh.test"
        ),
        "manager": create_user(
            username="giam_doc", role="manager", unit=world["center"], email="gd@cskh.test"
        ),
    }


def outage(world, minutes_ago: float):
    return cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),  # 24/7, 120 minutes
        description="Mất điện cả khu phố",
        at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def escalations(case):
    return list(CaseEvent.objects.filter(case=case, kind="escalation").order_by("id"))


def sla_mail(case):
    return list(
        Notification.objects.filter(case=case, template__startswith="sla_")
        .order_by("id")
        .values_list("template", "to")
    )


def test_ladder_fires_each_level_once_on_the_timeline(world, people):
    case = outage(world, minutes_ago=95)  # 79 % of 2 h
    clock = SlaClock.objects.get(case=case)
    assert clock.next_check_at == case.created_at + timedelta(minutes=90)

    assert sla.escalation_scan() == {"due": 1, "fired": 1}
    [warn] = escalations(case)
    assert warn.data["percent"] == 75 and warn.data["target"] == "unit_lead"
    assert "Cảnh báo SLA" in warn.body
    assert sorted(warn.data["recipients"]) == ["dlsg@evn.test", "totruong@evn.test"]
    assert sorted(sla_mail(case)) == [
        ("sla_warning", "dlsg@evn.test"),
        ("sla_warning", "totruong@evn.test"),
    ]
    # idempotent: the same scan again fires nothing, and so does a direct re-check
    assert sla.escalation_scan() == {"due": 0, "fired": 0}
    assert sla.check_clock(case_id=case.pk) == 0
    assert len(escalations(case)) == 1

    later = timezone.now() + timedelta(minutes=30)  # 104 %
    assert sla.escalation_scan(now=later) == {"due": 1, "fired": 1}
    assert sla.escalation_scan(now=later) == {"due": 0, "fired": 0}
    breach = escalations(case)[-1]
    assert breach.data["target"] == "shift_lead" and "Quá hạn SLA" in breach.body
    clock.refresh_from_db()
    assert clock.level == 2 and clock.breached_at is not None

    much_later = timezone.now() + timedelta(hours=3)
    assert sla.escalation_scan(now=much_later)["fired"] == 1
    assert [e.data["target"] for e in escalations(case)] == ["unit_lead", "shift_lead", "manager"]
    assert ("sla_breach", "gd@cskh.test") in sla_mail(case)
    clock.refresh_from_db()
    assert clock.level == 3 and clock.next_check_at is None  # ladder exhausted: out of the index
    assert sla.escalation_scan(now=much_later + timedelta(days=1)) == {"due": 0, "fired": 0}
    # every message is queued exactly once (dedupe keys)
    assert len(sla_mail(case)) == len(set(sla_mail(case))) == 4


def test_a_late_scan_fires_all_passed_levels_in_order(world, people):
    case = outage(world, minutes_ago=200)  # 167 %: all three thresholds passed
    assert sla.escalation_scan()["fired"] == 3
    assert [e.data["percent"] for e in escalations(case)] == [75, 100, 150]


def test_paused_and_resolved_cases_do_not_escalate(world, people):
    paused = outage(world, minutes_ago=60)
    cases.transition(case=paused, to="waiting_customer", actor=world["agent"], note="Số công tơ?")
    resolved = outage(world, minutes_ago=60)
    cases.transition(case=resolved, to="resolved", actor=world["agent"], note="Đã đóng lại CB")
    assert SlaClock.objects.filter(next_check_at__isnull=False).count() == 0
    assert sla.escalation_scan(now=timezone.now() + timedelta(hours=5)) == {"due": 0, "fired": 0}
    clock = SlaClock.objects.get(case=resolved)
    assert clock.met is True and clock.state == "stopped"


def test_custom_rules_replace_the_default_ladder(world, people):
    EscalationRule.objects.create(percent=50, target="shift_lead")
    EscalationRule.objects.create(percent=100, target="manager")
    case = outage(world, minutes_ago=70)  # 58 %
    assert sla.escalation_scan()["fired"] == 1
    assert escalations(case)[0].data["target"] == "shift_lead"
    assert sla_mail(case) == [("sla_warning", "ca@cskh.test")]


def test_sla_scan_command_and_task(world, people):
    case = outage(world, minutes_ago=95)
    out = StringIO()
    call_command("sla_scan", stdout=out)
    assert "'fired': 1" in out.getvalue()
    from cskh.sla.tasks import escalation_scan

    assert escalation_scan.call() == {"due": 0, "fired": 0}
    assert len(escalations(case)) == 1


def test_backfill_creates_missing_clocks_without_retroactive_paging(world, people):
    old = outage(world, minutes_ago=100)  # 83 %: the 75 % step has passed
    fresh = outage(world, minutes_ago=70)  # 58 %
    SlaClock.objects.all().delete()  # as after a bulk import
    assert sla.backfill_clocks() == {"created": 2}
    assert sla.backfill_clocks() == {"created": 0}  # idempotent
    old_clock, fresh_clock = SlaClock.objects.get(case=old), SlaClock.objects.get(case=fresh)
    assert old_clock.level == 1 and fresh_clock.level == 0
    assert old_clock.next_check_at == old.created_at + timedelta(minutes=120)
    assert fresh_clock.due_at == fresh.due_at
    assert sla.escalation_scan() == {"due": 0, "fired": 0}  # nothing retroactive
    later = timezone.now() + timedelta(minutes=25)
    assert sla.escalation_scan(now=later) == {"due": 2, "fired": 2}
    assert [e.data["percent"] for e in escalations(old)] == [100]
    assert [e.data["percent"] for e in escalations(fresh)] == [75]


def test_due_times_are_stored_on_the_case_for_sorting(world):
    early = outage(world, minutes_ago=100)
    late = outage(world, minutes_ago=10)
    from cskh.cases.models import Case

    ordered = list(
        Case.objects.filter(is_open=True, due_at__isnull=False)
        .order_by("due_at")
        .values_list("pk", flat=True)
    )
    assert ordered == [early.pk, late.pk]
    overdue = Case.objects.filter(due_at__lt=timezone.now() + timedelta(minutes=30))
    assert list(overdue.values_list("pk", flat=True)) == [early.pk]


def _month(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m")


def test_compliance_report_per_unit_type_and_month(world, people, other_unit):
    met = outage(world, minutes_ago=30)
    cases.transition(case=met, to="resolved", actor=world["agent"], note="Đã khôi phục")
    missed = outage(world, minutes_ago=180)
    cases.transition(case=missed, to="resolved", actor=world["agent"], note="Thay cầu chì")
    outage(world, minutes_ago=150)  # still open and overdue
    rows = selectors.compliance(_month(timezone.now()))
    [row] = [r for r in rows if r["case_type"] == "outage"]
    assert row["unit"] == world["unit"].code
    assert (row["resolved"], row["met"], row["breached"], row["open_overdue"]) == (2, 1, 1, 1)
    assert row["compliance"] == 50.0
    assert selectors.compliance(_month(timezone.now()), unit_ids={other_unit.pk}) == []


def test_compliance_api_and_page(world, people, api_as, client):
    done = outage(world, minutes_ago=30)
    cases.transition(case=done, to="resolved", actor=world["agent"], note="Đã khôi phục")
    month = _month(timezone.now())
    resp = api_as(people["shift_lead"]).get("/api/v1/sla/compliance", query_params={"month": month})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [(r["case_type"], r["met"]) for r in body] == [("outage", 1)]
    # a field unit sees only its own unit; an agent is refused; bad input is a 400
    assert api_as(people["unit_lead"]).get(
        "/api/v1/sla/compliance", query_params={"month": month}
    ).json() == [body[0]]
    assert (
        api_as(world["agent"])
        .get("/api/v1/sla/compliance", query_params={"month": month})
        .status_code
        == 403
    )
    bad = api_as(people["manager"]).get("/api/v1/sla/compliance", query_params={"month": "2026-13"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_month"

    client.force_login(people["manager"])
    page = client.get("/sla/compliance/", {"month": month})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tỷ lệ đạt SLA" in html and world["unit"].name in html and "100,0" in html
    client.force_login(world["agent"])
    assert client.get("/sla/compliance/").status_code == 403


def test_priority_change_recomputes_targets_without_resetting_the_clock(world, people):
    from cskh.catalog.models import SlaPolicy

    policy = SlaPolicy.objects.get(code="restore_2h")
    policy.per_priority = {"1": {"first_response": 10, "resolution": 60}}
    policy.save()
    case = outage(world, minutes_ago=50)  # priority 2: 120 min → 42 %, nothing due
    assert sla.escalation_scan() == {"due": 0, "fired": 0}
    case = cases.change_priority(case=case, priority=1, actor=world["agent"], reason="Có cháy")
    clock = SlaClock.objects.get(case=case)
    assert clock.target_minutes == 60 and clock.started_at == case.created_at
    assert clock.elapsed_minutes == pytest.approx(50, abs=0.5)  # kept, not reset
    case.refresh_from_db()
    assert case.due_at == clock.due_at
    assert abs((case.due_at - (case.created_at + timedelta(minutes=60))).total_seconds()) < 2
    assert sla.escalation_scan()["fired"] == 1  # 83 % of the new target: the 75 % step
    assert escalations(case)[-1].data["percent"] == 75


def test_compliance_page_names_each_unit_once_and_navigates(world, people, client):
    """#21: an overdue-only row shows the unit's name, never its raw code; the page has the
    site navigation and links to the neighbouring months."""
    outage(world, minutes_ago=150)  # open and overdue: no resolved row for this unit/type
    month = _month(timezone.now())
    [row] = [r for r in selectors.compliance(month) if r["case_type"] == "outage"]
    assert row["unit_name"] == world["unit"].name and row["case_type_name"]
    client.force_login(people["manager"])
    html = client.get("/sla/compliance/", {"month": month}).content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert world["unit"].name in table and f"<td>{world['unit'].code}</td>" not in table
    assert 'href="/desk/"' in html and 'rel="prev"' in html


def test_backfill_closed_clocks_gives_imported_history_a_month_in_the_report(world, people):
    """Closed cases imported without clocks (bulk loads) get stopped clocks: met by the stored
    due time, and the compliance report counts their month (#21)."""
    on_time = outage(world, minutes_ago=30)
    cases.transition(case=on_time, to="resolved", actor=world["agent"], note="Đã khôi phục")
    late = outage(world, minutes_ago=180)
    cases.transition(case=late, to="resolved", actor=world["agent"], note="Thay cầu chì")
    SlaClock.objects.filter(case__in=[on_time, late]).delete()
    month = _month(timezone.now())
    assert not [r for r in selectors.compliance(month) if r["resolved"]]
    assert sla.backfill_closed_clocks() == {"created": 2}
    assert sla.backfill_closed_clocks() == {"created": 0}  # idempotent
    clocks = {c.case_id: c for c in SlaClock.objects.filter(case__in=[on_time, late])}
    assert clocks[on_time.pk].state == "stopped" and clocks[on_time.pk].met is True
    assert clocks[late.pk].met is False and clocks[late.pk].breached_at is not None
    [row] = [r for r in selectors.compliance(month) if r["case_type"] == "outage"]
    assert (row["resolved"], row["met"]) == (2, 1)
