"""The case-type suggestion chip while the agent types with pauses, as agents do (#21): the
chip must land in its own slot, never replace the logging form, and every shortcut must still
work on the form afterwards."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture(autouse=True)
def _models(textintel_models):
    """The chip appears only once textintel's models are in memory (warmed here, not raced)."""


def test_suggestion_after_a_pause_keeps_the_form_and_every_shortcut(world, desk_page):
    from cskh.cases.models import Case
    from cskh.catalog.services import get_case_type
    from cskh.knowledge.services import create_canned_answer
    from cskh.textintel import services as text_services

    text_services.warm_up()  # the chip is absent (never waited for) while models load
    create_canned_answer(
        case_type=get_case_type("outage"),
        title="Đã ghi nhận mất điện",
        body="Dạ em đã ghi nhận mất điện tại nhà anh/chị {{ten_khach_hang}}.",
    )
    customer = world["customer"]
    page = desk_page(world["agent"], path=f"/desk/?customer={customer.pk}", connected=False)
    expect(page.locator("#logform")).to_be_visible()
    page.keyboard.press("Alt+d")
    page.keyboard.type("Nhà tôi bị cúp điện")
    page.wait_for_timeout(1_200)  # the agent pauses mid-sentence (the bug needed > 600 ms)
    chip = page.locator("#suggest [data-suggest]")
    expect(chip).to_be_visible(timeout=15_000)
    page.keyboard.type(" từ sáng")
    page.wait_for_timeout(1_200)  # a second pause: the chip is fetched again
    expect(chip).to_be_visible(timeout=15_000)
    expect(page.locator("#logform")).to_be_visible()
    expect(page.locator("#description")).to_have_value("Nhà tôi bị cúp điện từ sáng")
    assert chip.get_attribute("data-suggest") == "outage"

    page.keyboard.press("Alt+y")
    expect(page.locator("#type-code")).to_have_value("outage")
    expect(page.locator("[data-canned='1']")).to_be_visible(timeout=10_000)
    page.keyboard.press("Alt+1")
    expect(page.locator("#reply")).to_have_value(
        "Dạ em đã ghi nhận mất điện tại nhà anh/chị Nguyễn Văn An."
    )
    page.keyboard.press("Control+Enter")
    logged = page.locator("[data-logged]")
    expect(logged).to_be_visible(timeout=15_000)
    case = Case.objects.get(number=logged.get_attribute("data-logged"))
    assert case.case_type.code == "outage"
    assert case.description == "Nhà tôi bị cúp điện từ sáng"
    page.keyboard.press("Alt+f")
    expect(page.locator("#find-q")).to_be_focused()
