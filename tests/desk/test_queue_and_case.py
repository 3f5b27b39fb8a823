"""Queues (keyset pages, filters, bounded query count), the case page and the supervisor."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models(textintel_models):
    """Opening a case runs textintel's hook; its models load once per process."""


def _open(world, type_code="outage", agent=None, **kw):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    return open_case(
        customer=world["customer"],
        case_type=get_case_type(type_code),
        description=kw.pop("description", "Mất điện cả khu phố"),
        actor=agent or world["agent"],
        **kw,
    )


def test_queue_pages_with_a_cursor_never_counts_and_stays_under_15_queries(
    world, client, django_assert_max_num_queries
):
    cases = [_open(world, assign_to_actor=True) for _ in range(30)]
    client.force_login(world["agent"])
    client.get("/desk/queue/")  # session, translations warm
    with django_assert_max_num_queries(14):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/desk/queue/", {"view": "mine"})
    assert r.status_code == 200
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [q for q in ctx.captured_queries if " OFFSET " in q["sql"].upper()]
    page1 = r.context["rows"]
    assert [c.number for c in page1] == [c.number for c in reversed(cases)][:25]
    cursor = r.context["next_cursor"]
    assert cursor
    r2 = client.get("/desk/queue/", {"view": "mine", "cursor": cursor})
    assert [c.number for c in r2.context["rows"]] == [c.number for c in reversed(cases)][25:]
    assert r2.context["next_cursor"] is None
    html = r.content.decode()
    assert f"cursor={cursor}" in html


def test_queue_views_and_filters(world, agent2, client):
    mine = _open(world, assign_to_actor=True)
    theirs = _open(world, "billing", agent=agent2, description="Hỏi hóa đơn", assign_to_actor=True)
    unassigned = _open(world, "meter", description="Công tơ chạy nhanh")
    client.force_login(world["agent"])

    def numbers(**params):
        r = client.get("/desk/queue/", params)
        assert r.status_code == 200
        return {c.number for c in r.context["rows"]}

    assert numbers(view="mine") == {mine.number}
    assert numbers(view="unassigned") == {unassigned.number}
    assert numbers(view="all", type="billing") == {theirs.number}
    assert numbers(view="all", status="new") == {unassigned.number}
    assert numbers(view="all", channel="web") == set()
    today = timezone.localdate().isoformat()
    assert numbers(view="all", **{"from": today, "to": today}) == {
        mine.number,
        theirs.number,
        unassigned.number,
    }
    # overdue / due soon are ordered by due time
    from cskh.cases.models import Case

    Case.objects.filter(pk=unassigned.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Case.objects.filter(pk=mine.pk).update(due_at=timezone.now() + timedelta(minutes=30))
    assert numbers(view="overdue") == {unassigned.number}
    r = client.get("/desk/queue/", {"view": "due"})
    # due soon = not yet overdue: the tile's count and this list agree (#21)
    assert [c.number for c in r.context["rows"]] == [mine.number]


def test_callbacks_tab_lists_and_completes_merged_missed_calls(world, client):
    from cskh.telephony.models import CallbackTask
    from cskh.telephony.services import handle_call_event

    for i in range(2):
        handle_call_event(call_id=f"m{i}", event="missed", from_number="0912 345 678")
    client.force_login(world["agent"])
    r = client.get("/desk/queue/", {"view": "callbacks"})
    tasks = r.context["rows"]
    assert [(t.from_e164, t.count) for t in tasks] == [("+84912345678", 2)]
    r = client.post(f"/desk/callbacks/{tasks[0].pk}/done", {"note": "Đã gọi lại, khách báo ổn"})
    assert r.status_code == 302
    assert CallbackTask.objects.get().status == "done"
    assert client.get("/desk/queue/", {"view": "callbacks"}).context["rows"] == []


def test_case_page_timeline_transitions_reassign_and_link(world, agent2, client):
    from cskh.cases import states
    from cskh.cases.models import Case, CaseLink

    case = _open(world)
    other = _open(world, "billing", description="Hỏi hóa đơn")
    client.force_login(world["agent"])
    client.post(
        f"/desk/cases/{case.number}/note", {"body": "Đã gọi điện lực khu vực", "public": "0"}
    )
    client.post(f"/desk/cases/{case.number}/note", {"body": "Đội sửa chữa đang tới", "public": "1"})
    r = client.get(f"/desk/cases/{case.number}/")
    html = r.content.decode()
    assert 'class="ev ev-note"' in html and 'class="ev ev-reply public"' in html
    assert "Nội bộ" in html and "Khách hàng thấy" in html
    # only the transitions the state machine allows are offered
    offered = {v for v, _label in r.context["transitions"]}
    assert offered == set(states.allowed("new"))
    assert 'value="closed"' not in html.split("Chuyển trạng thái")[1].split("</section>")[0]
    # an illegal transition posted by hand is refused with a message, nothing changes
    r = client.post(f"/desk/cases/{case.number}/transition", {"to": "closed"}, follow=True)
    assert "Không thể chuyển" in r.content.decode()
    assert Case.objects.get(pk=case.pk).status == "new"
    client.post(f"/desk/cases/{case.number}/transition", {"to": "resolved", "note": "Đã có điện"})
    assert Case.objects.get(pk=case.pk).status == "resolved"
    # the timeline names states in words, not codes
    html = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "Mới → Đã giải quyết" in html and "new → resolved" not in html
    # reassignment and linking
    client.post(f"/desk/cases/{other.number}/assign", {"agent": agent2.pk, "reason": "Ca chiều"})
    assert Case.objects.get(pk=other.pk).assigned_agent == agent2
    client.post(f"/desk/cases/{other.number}/link", {"other": case.number, "kind": "related"})
    assert CaseLink.objects.filter(from_case=other, to_case=case).exists()
    r = client.post(f"/desk/cases/{other.number}/link", {"other": "CS-1900-000001"}, follow=True)
    assert r.status_code == 200 and "Không tìm thấy yêu cầu" in r.content.decode()


def test_card_shows_open_cases_interactions_and_incident_banner(world, client):
    case = _open(world)
    from cskh.telephony.services import handle_call_event

    handle_call_event(
        call_id="card-1", event="ringing", from_number="0901234567", agent_extension="1001"
    )
    client.force_login(world["agent"])
    r = client.get(f"/desk/customers/{world['customer'].pk}/card")
    html = r.content.decode()
    assert case.number in html and "Mất điện" in html
    assert "Tương tác gần đây" in html and "Đang đổ chuông" in html
    assert "12 Lê Lợi" in html


def test_presence_set_by_agent_and_visible_to_shift_lead(world, lead, client):
    from cskh.telephony.selectors import presence_state

    client.force_login(world["agent"])
    r = client.post("/desk/presence", {"state": "break"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert presence_state(world["agent"]) == "break"
    assert client.post("/desk/presence", {"state": "sleeping"}).status_code == 400
    client.force_login(lead)
    r = client.get("/desk/supervisor/")
    assert r.status_code == 200
    row = [a for a in r.context["agents"] if a["user"] == world["agent"]][0]
    assert row["state"] == "break"
    assert "Tạm nghỉ" in r.content.decode()


def test_card_banner_shows_active_incident_with_eta(world, ben_thanh, client):
    incidents = pytest.importorskip("cskh.incidents.services")
    eta = timezone.now() + timedelta(hours=2)
    incidents.create_incident(
        kind="unplanned_outage",
        title="Sự cố tuyến dây 471 Bến Thành",
        scope={"wards": [ben_thanh.code]},
        eta=eta,
    )
    client.force_login(world["agent"])
    html = client.get(f"/desk/customers/{world['customer'].pk}/card").content.decode()
    assert 'class="banner"' in html
    assert "Sự cố tuyến dây 471 Bến Thành" in html
    assert timezone.localtime(eta).strftime("%H:%M %d/%m") in html
