"""The customer card as the agent uses it during a call (#21): the case history with closed
cases and their outcome, refreshed when a case is logged; planned outages; recordings."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture(autouse=True)
def _models(textintel_models):
    """Opening a case runs textintel's hook; its models load once per process."""


def test_card_shows_closed_cases_with_outcome_and_refreshes_after_logging(world, desk_page):
    from cskh.cases.services import open_case, transition
    from cskh.catalog.services import get_case_type

    old = open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Hóa đơn tháng 5 cao bất thường",
        actor=world["agent"],
    )
    transition(
        case=old,
        to="resolved",
        note="Đã kiểm tra chỉ số công tơ, hóa đơn đúng",
        actor=world["agent"],
    )
    transition(case=old, to="closed", note="", actor=world["agent"])
    page = desk_page(
        world["agent"], path=f"/desk/?customer={world['customer'].pk}", connected=False
    )
    closed = page.locator(f"#card-cases [data-closed-case='{old.number}']")
    expect(closed).to_contain_text("Đã kiểm tra chỉ số công tơ, hóa đơn đúng")
    expect(page.locator("#card-cases [data-open-case]")).to_have_count(0)

    expect(page.locator("#type-q")).to_be_focused()
    page.keyboard.type("mat dien")
    page.keyboard.press("Enter")
    expect(page.locator("#description")).to_be_focused()
    page.keyboard.type("Mất điện cả khu phố")
    page.keyboard.press("Control+Enter")
    logged = page.locator("[data-logged]")
    expect(logged).to_be_visible(timeout=15_000)
    number = logged.get_attribute("data-logged")
    expect(page.locator(f"#card-cases [data-open-case='{number}']")).to_be_visible(timeout=15_000)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_service_point_picker_by_keyboard_when_the_customer_has_several(world, desk_page):
    from cskh.cases.models import Case
    from cskh.customers.services import add_service_point

    for code in ("PE0100000001", "PE0100000002"):
        add_service_point(customer=world["customer"], code=code, kind="meter", address="12 Lê Lợi")
    page = desk_page(
        world["agent"], path=f"/desk/?customer={world['customer'].pk}", connected=False
    )
    expect(page.locator("#type-q")).to_be_focused()
    page.keyboard.type("mat dien")
    page.keyboard.press("Enter")
    expect(page.locator("#description")).to_be_focused()
    page.keyboard.type("Mất điện ở căn thứ hai")
    page.keyboard.press("Alt+m")
    expect(page.locator("#service-point")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#service-point")).to_have_value("PE0100000002")
    page.keyboard.press("Control+Enter")
    logged = page.locator("[data-logged]")
    expect(logged).to_be_visible(timeout=15_000)
    case = Case.objects.select_related("service_point").get(
        number=logged.get_attribute("data-logged")
    )
    assert case.service_point.code == "PE0100000002"
