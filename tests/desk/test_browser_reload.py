"""Logging in again after a call shows the idle desk, not an old call (#21)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cskh.telephony import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def event(call_id, kind, at=None):
    return services.handle_call_event(
        call_id=call_id, event=kind, from_number="0901234567", agent_extension="1001", at=at
    )


def test_reload_after_finished_and_stale_calls_shows_the_idle_desk(world, desk_page):
    event("old-ring", "ringing", timezone.now() - timedelta(minutes=11))  # never ended
    event("done", "ringing", timezone.now() - timedelta(minutes=1))
    event("done", "answered", timezone.now() - timedelta(seconds=50))
    event("done", "ended", timezone.now() - timedelta(seconds=10))
    page = desk_page(world["agent"])
    expect(page.locator("#card .empty")).to_be_visible()
    expect(page.locator("#card .pop")).to_have_count(0)
    # a live call still pops at once on the same page
    event("live", "ringing")
    expect(page.locator("#card .pop[data-mode=card]")).to_be_visible(timeout=15_000)
