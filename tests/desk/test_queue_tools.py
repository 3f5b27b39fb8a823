"""Queue tools (#21): counts per tab, sorting, an SLA countdown column and bulk assignment by
a shift lead; the page stays under 15 queries and never runs COUNT(*)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models(textintel_models):
    """Opening a case runs textintel's hook; its models load once per process."""


def _open(world, **kw):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    return open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Mất điện",
        actor=world["agent"],
        **kw,
    )


def test_tabs_show_counts_and_the_sla_countdown(world, client):
    from cskh.cases.models import Case

    mine = [_open(world, assign_to_actor=True) for _ in range(3)]
    other = _open(world)
    Case.objects.filter(pk=mine[0].pk).update(due_at=timezone.now() - timedelta(minutes=30))
    Case.objects.filter(pk=mine[1].pk).update(
        due_at=timezone.now() + timedelta(hours=1, minutes=10, seconds=30)
    )
    client.force_login(world["agent"])
    client.get("/desk/queue/")  # the session's first page also records its sign-in checks
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/desk/queue/", {"view": "mine"})
    html = r.content.decode()
    assert len(ctx.captured_queries) < 15
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert 'data-count="mine">3<' in html
    assert 'data-count="unassigned">1<' in html
    assert 'data-count="overdue">1<' in html
    assert "quá 30 phút" in html
    assert "còn 1 giờ 10 phút" in html
    assert other.number not in html


def test_sort_by_due_then_priority(world, client):
    from cskh.cases.models import Case

    a, b, c = (_open(world, assign_to_actor=True) for _ in range(3))
    now = timezone.now()
    Case.objects.filter(pk=a.pk).update(due_at=now + timedelta(hours=5), priority=1)
    Case.objects.filter(pk=b.pk).update(due_at=now + timedelta(hours=1), priority=3)
    Case.objects.filter(pk=c.pk).update(due_at=now + timedelta(hours=3), priority=1)
    client.force_login(world["agent"])

    def order(sort):
        rows = client.get("/desk/queue/", {"view": "mine", "sort": sort}).context["rows"]
        return [x.number for x in rows]

    assert order("due") == [b.number, c.number, a.number]
    assert order("priority") == [c.number, a.number, b.number]
    assert order("old") == [a.number, b.number, c.number]
    assert order("bogus") == [c.number, b.number, a.number]  # default: newest first


def test_shift_lead_bulk_assigns_ticked_cases(world, lead, agent2, client):
    from cskh.cases.models import Case, CaseEvent

    cases = [_open(world) for _ in range(3)]
    client.force_login(lead)
    client.get("/desk/queue/", {"view": "unassigned"})  # session, translations warm
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/desk/queue/", {"view": "unassigned"}).content.decode()
    assert len(ctx.captured_queries) < 15  # with the tab counts and the agents to assign
    assert 'id="bulk"' in page and 'name="case"' in page
    r = client.post(
        "/desk/queue/assign",
        {
            "case": [cases[0].number, cases[2].number, "CS-0000-999999"],
            "agent": agent2.pk,
            "next": "/desk/queue/?view=unassigned",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/desk/queue/?view=unassigned"
    assigned = set(Case.objects.filter(assigned_agent=agent2).values_list("number", flat=True))
    assert assigned == {cases[0].number, cases[2].number}
    assert CaseEvent.objects.filter(case=cases[0], kind="assignment").exists()
    follow = client.get(r["Location"]).content.decode()
    assert "Đã giao 2 yêu cầu" in follow and "CS-0000-999999" in follow


def test_agents_cannot_bulk_assign(world, agent2, client):
    case = _open(world)
    client.force_login(world["agent"])
    assert 'id="bulk"' not in client.get("/desk/queue/?view=unassigned").content.decode()
    r = client.post("/desk/queue/assign", {"case": [case.number], "agent": agent2.pk})
    assert r.status_code == 403
