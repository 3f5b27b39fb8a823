"""Scheduled callbacks and click-to-call on the desk, keyboard first (#21)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_schedule_a_callback_then_the_reminder_offers_to_call(world, desk_page, settings):
    from cskh.telephony import services
    from cskh.telephony.models import ScheduledCallback

    settings.CSKH_PBX = {"BACKEND": "log"}
    page = desk_page(world["agent"], path=f"/desk/?customer={world['customer'].pk}")
    page.keyboard.press("Alt+h")
    expect(page.locator("#cb-due")).to_be_focused()
    due = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    page.locator("#cb-due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#callback-panel input[name=note]").fill("Gọi lại sau 2 giờ")
    page.locator("#callback-panel button[type=submit]").click()
    expect(page.locator("#callback-panel [data-scheduled]")).to_be_visible(timeout=15_000)
    cb = ScheduledCallback.objects.get()
    assert (cb.agent_id, cb.due_at, cb.note) == (world["agent"].pk, due, "Gọi lại sau 2 giờ")

    services.remind_due_callbacks(now=due - timedelta(minutes=1))
    banner = page.locator(f"#reminders [data-callback-due='{cb.pk}']")
    expect(banner).to_contain_text("Nguyễn Văn An", timeout=15_000)
    banner.get_by_role("button").click()
    expect(banner.locator("[data-dialing]")).to_be_visible(timeout=15_000)


def test_alt_c_dials_the_first_number_of_the_card(world, desk_page, settings):
    settings.CSKH_PBX = {"BACKEND": "log"}
    page = desk_page(
        world["agent"], path=f"/desk/?customer={world['customer'].pk}", connected=False
    )
    expect(page.locator("#type-q")).to_be_focused()
    page.keyboard.press("Alt+c")
    expect(page.locator("#dial-status [data-dialing]")).to_contain_text("0901 234 567")
