"""The idle desk and planned outages (#21): between calls the agent sees their own figures
today (calls, cases, FCR), live incidents and the next planned outages; a caller's card warns
of a planned outage on their service point."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture(autouse=True)
def _models(textintel_models):
    """Opening a case runs textintel's hook; its models load once per process."""


def planned(unit, *, sp=None, ward=None, days=3, title="Bảo trì trạm T12"):
    from cskh.incidents.models import Incident, IncidentScope

    start = timezone.now() + timedelta(days=days)
    inc = Incident.objects.create(
        kind="planned_outage",
        status="confirmed",
        title=title,
        reason="Thay máy biến áp",
        level="transformer" if sp else "ward",
        unit=unit,
        started_at=start,
        ends_at=start + timedelta(hours=4),
    )
    if sp is not None:
        IncidentScope.objects.create(incident=inc, level="transformer", code=sp.transformer_code)
    else:
        IncidentScope.objects.create(incident=inc, level="ward", code=str(ward.pk), ward=ward)
    return inc


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_idle_desk_shows_my_day_live_incidents_and_planned_outages(world, desk_page, width, height):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type
    from cskh.incidents.models import Incident
    from cskh.telephony import services as tel

    for i, fcr in enumerate([True, False]):
        tel.handle_call_event(
            call_id=f"today-{i}", event="answered", from_number="0901234567", agent_extension="1001"
        )
        open_case(
            customer=world["customer"],
            case_type=get_case_type("billing"),
            description="Hỏi hóa đơn",
            actor=world["agent"],
            resolved_on_call=fcr,
            resolution="Đã giải thích" if fcr else "",
        )
        tel.handle_call_event(call_id=f"today-{i}", event="ended", from_number="0901234567")
    live = Incident.objects.create(
        kind="unplanned_outage",
        status="confirmed",
        title="Mất điện khu vực Bến Thành",
        level="ward",
        unit=world["unit"],
        started_at=timezone.now() - timedelta(minutes=20),
    )
    soon = planned(world["unit"], ward=world["customer"].ward)
    page = desk_page(world["agent"], viewport=(width, height))
    expect(page.locator("[data-figure=calls]")).to_have_text("2")
    expect(page.locator("[data-figure=cases]")).to_have_text("2")
    expect(page.locator("[data-figure=fcr]")).to_contain_text("50%")
    expect(page.locator(f"[data-live-incident='{live.pk}']")).to_contain_text("Bến Thành")
    expect(page.locator(f"#idle [data-planned='{soon.pk}']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_card_warns_of_a_planned_outage_on_the_callers_service_point(world, desk_page):
    from cskh.customers.services import add_service_point

    sp = add_service_point(
        customer=world["customer"],
        code="PE0100000001",
        kind="meter",
        address="12 Lê Lợi",
        transformer_code="T12",
        feeder_code="471-BT",
    )
    mine = planned(world["unit"], sp=sp)
    from cskh.incidents.models import IncidentScope

    other = planned(world["unit"], sp=sp, title="Bảo trì trạm khác")
    IncidentScope.objects.filter(incident=other).update(code="T99")
    page = desk_page(
        world["agent"],
        path=f"/desk/?customer={world['customer'].pk}",
        connected=False,
        viewport=(390, 844),
    )
    banner = page.locator(f"#card [data-planned='{mine.pk}']")
    expect(banner).to_contain_text("Bảo trì trạm T12")
    expect(page.locator(f"#card [data-planned='{other.pk}']")).to_have_count(0)
    # the whole card (phones with call buttons, callback form, history) fits a phone screen
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_queue_with_counts_and_bulk_assign_fits_the_screen(world, lead, desk_page, width, height):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    case = open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Mất điện",
        actor=world["agent"],
    )
    page = desk_page(
        lead, path="/desk/queue/?view=unassigned", connected=False, viewport=(width, height)
    )
    expect(page.locator("[data-count=unassigned]")).to_have_text("1")
    expect(page.locator(f"tr[data-case='{case.number}'] td.sla")).to_contain_text("còn")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
