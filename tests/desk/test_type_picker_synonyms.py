"""The case-type picker in real Chromium finds a type by the profile's synonyms (issue #21)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize(
    "typed, expected",
    [("cup dien", "Mất điện"), ("dien yeu", "Chất lượng điện áp"), ("dut day", "Nguy hiểm điện")],
)
def test_picker_finds_a_type_by_a_synonym(world, desk_page, typed, expected):
    page = desk_page(world["agent"], path=f"/desk/?customer={world['customer'].pk}")
    page.locator("#type-q").fill("")
    page.locator("#type-q").press_sequentially(typed)
    expect(page.locator("#type-list li[aria-selected=true]")).to_have_text(expected)
    page.keyboard.press("Enter")
    code = page.locator("#type-code").input_value()
    from cskh.catalog.models import CaseType

    assert CaseType.objects.get(code=code, profile=world["profile"]).name == expected
