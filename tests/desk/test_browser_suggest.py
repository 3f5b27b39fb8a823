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
    # The agent moves on to the next customer while the case is still being saved: the saved
    # form's fresh search field must not take the focus back when it arrives.
    page.keyboard.press("Alt+f")
    logged = page.locator("[data-logged]")
    expect(logged).to_be_visible(timeout=15_000)
    case = Case.objects.get(number=logged.get_attribute("data-logged"))
    assert case.case_type.code == "outage"
    assert case.description == "Nhà tôi bị cúp điện từ sáng"
    page.wait_for_timeout(200)  # past htmx's settle, when it would focus [autofocus] itself
    expect(page.locator("#find-q")).to_be_focused()
    page.keyboard.type("0909")
    expect(page.locator("#find-q")).to_have_value("0909")


def test_after_logging_the_new_form_takes_the_focus(world, desk_page):
    """When the agent stays on the form, the next case starts in the type search at once."""
    customer = world["customer"]
    page = desk_page(world["agent"], path=f"/desk/?customer={customer.pk}", connected=False)
    expect(page.locator("#type-q")).to_be_focused(timeout=15_000)
    page.keyboard.type("mat dien")
    page.keyboard.press("Enter")
    expect(page.locator("#type-code")).not_to_have_value("")
    page.keyboard.press("Alt+d")
    page.keyboard.type("Mất điện cả xóm")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-logged]")).to_be_visible(timeout=15_000)
    expect(page.locator("#type-q")).to_be_focused()
    expect(page.locator("#type-q")).to_have_value("")
