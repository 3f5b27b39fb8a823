"""The workforce pages in a real browser: a lead generates a roster and publishes it, sees the
forecast chart, requirement vs scheduled, adherence and the storm what-if."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cskh.org.services import create_user
from cskh.wfm.models import AgentProfile, ForecastRun, IntervalForecast, Schedule, StaffingQueue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(center):
    for k in range(10):
        u = create_user(
            username=f"bwfm{k}", role="agent", unit=center, first_name="Hoa", last_name=f"Lê{k}"
        )
        AgentProfile.objects.create(user=u)
    queue = StaffingQueue.objects.create(code="TD", name="Tổng đài", channel="phone", model="c")
    today = timezone.localdate()
    now = timezone.now()
    run = ForecastRun.objects.create(queue=queue, created_at=now, start=now, end=now, method="x")
    rows = []
    for d in range(7):
        midnight = timezone.make_aware(
            datetime.combine(today + timedelta(days=d), datetime.min.time())
        )
        for s in range(16, 40):
            rows.append(
                IntervalForecast(
                    run=run, start=midnight + timedelta(minutes=30 * s), calls=25.0, naive=25.0
                )
            )
    IntervalForecast.objects.bulk_create(rows)


def test_lead_generates_publishes_and_reads_the_charts(page_for, lead, setup):
    page = page_for(lead)
    page.goto("/wfm/roster/")
    page.fill("input[name=days]", "3")
    page.click("form[action$='generate'] button[type=submit]")
    expect(page.locator("#schedule-status")).to_have_text("Bản nháp")
    expect(page.locator(".roster-table tbody tr").first).to_be_visible()
    page.click("button[data-action=publish]")
    expect(page.locator("#schedule-status")).to_have_text("Đã công bố")
    assert Schedule.objects.get().status == "published"

    page.goto("/wfm/")
    expect(page.locator("#queue-TD svg polyline").first).to_be_attached()
    expect(page.locator(".requirement-table tbody tr").first).to_be_visible()

    page.goto("/wfm/adherence/")
    expect(page.locator(".adherence-table tbody tr").first).to_be_visible()

    page.goto("/wfm/what-if/?start=9&hours=4&factor=3")
    expect(page.locator("#extra-total")).to_contain_text("Cần thêm")
    expect(page.locator(".whatif-table tbody tr.warn").first).to_be_visible()
