"""The attitude warning appears under the reply box before the agent sends (real Chromium)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_warning_before_sending_a_rude_reply(world, case, page_for):
    from cskh.qa.models import AttitudeFlag

    page = page_for(world["agent"])
    page.goto(f"/desk/cases/{case.number}/", wait_until="domcontentloaded")
    box = page.locator("#note-body")
    box.fill("")
    box.press_sequentially("ko bik, anh tự ra điện lực mà hỏi đi")
    warning = page.locator(".qa-warning")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning.locator("li[data-code=dismissive]").first).to_be_visible()
    expect(warning.locator("li[data-code=teencode]").first).to_be_visible()
    expect(warning.locator(".qa-suggestion")).to_contain_text("vui lòng")
    assert AttitudeFlag.objects.count() == 0  # a warning, nothing counted yet

    # the agent's choice: send anyway; it is counted in their QA
    page.get_by_role("button", name="Gửi trả lời khách hàng").click()
    page.wait_for_url(f"**/desk/cases/{case.number}/")
    expect(page.locator(".evbody").filter(has_text="ko bik")).to_have_count(1)
    assert AttitudeFlag.objects.filter(agent=world["agent"]).count() == 1

    # a polite reply clears the warning
    page.locator("#note-body").press_sequentially("Dạ em cảm ơn anh ạ.")
    expect(page.locator(".qa-warn")).to_be_empty(timeout=10_000)
