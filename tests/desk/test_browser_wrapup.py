"""Call and wrap-up timers, outcome codes, break reasons (#21), keyboard first."""

import pytest
from playwright.sync_api import expect

from cskh.telephony import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def ev(call_id, kind):
    return services.handle_call_event(
        call_id=call_id, event=kind, from_number="0901234567", agent_extension="1001"
    )


def test_timers_then_outcome_code_by_keyboard_makes_the_agent_ready(world, desk_page):
    from cskh.telephony.models import CallWrapUp
    from cskh.telephony.selectors import presence_state

    page = desk_page(world["agent"])
    ev("wrap-1", "ringing")
    expect(page.locator("#card .pop[data-mode=card]")).to_be_visible(timeout=15_000)
    body = ev("wrap-1", "answered")
    timer = page.locator("#state-timer[data-state=on_call]")
    expect(timer).to_have_text(__import__("re").compile(r"^0:0\d$"), timeout=15_000)
    ev("wrap-1", "ended")
    expect(page.locator("#state-timer[data-state=after_call_work]")).to_contain_text(
        "tự sẵn sàng sau", timeout=15_000
    )
    form = page.locator("#wrapup form")
    expect(form).to_be_visible(timeout=15_000)
    page.keyboard.press("Alt+o")
    expect(page.locator("#outcome")).to_be_focused()
    page.locator("#outcome").select_option("info")
    page.keyboard.press("Alt+w")
    expect(page.locator("#wrapup [data-wrapped]")).to_be_visible(timeout=15_000)
    expect(page.locator("#presence-state[data-state=available]")).to_be_attached(timeout=15_000)
    row = CallWrapUp.objects.get(interaction_id=body["interaction"])
    assert row.outcome == "info" and row.agent_id == world["agent"].pk
    assert presence_state(world["agent"]) == "available"


def test_break_with_a_reason_from_the_desk(world, desk_page, lead, client):
    page = desk_page(world["agent"])
    page.locator("#presence-state").select_option("break:meal")
    expect(page.locator("#presence-state[data-state=break]")).to_be_attached(timeout=15_000)
    from cskh.telephony.models import AgentPresence

    p = AgentPresence.objects.get(user=world["agent"])
    assert (p.state, p.reason) == ("break", "meal")
    client.force_login(lead)
    assert "Tạm nghỉ (Ăn ca)" in client.get("/desk/supervisor/").content.decode()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
