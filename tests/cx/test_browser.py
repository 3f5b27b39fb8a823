from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cskh.cx import signing
from cskh.cx.models import Survey
from cskh.cx.services import surveys

pytestmark = pytest.mark.django_db(transaction=True)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _sent(resolve_case):
    case = resolve_case()
    survey = Survey.objects.get(case_id=case.pk)
    now = datetime.now(tz=HCM).replace(hour=12)
    Survey.objects.filter(pk=survey.pk).update(send_at=now - timedelta(minutes=1))
    surveys.tick(now)
    return survey


def test_customer_answers_on_a_phone_without_javascript(browser, live_server, resolve_case):
    survey = _sent(resolve_case)
    ctx = browser.new_context(
        viewport={"width": 375, "height": 700}, java_script_enabled=False, locale="vi-VN"
    )
    page = ctx.new_page()
    page.goto(f"{live_server.url}/s/{signing.token_for(survey.pk)}")
    expect(page.get_by_role("heading")).to_contain_text("hài lòng")
    page.fill("#comment", "Nhân viên rất nhiệt tình")
    page.get_by_role("button", name="5 điểm").click()
    expect(page.get_by_role("status")).to_contain_text("đã ghi nhận")
    page.goto(f"{live_server.url}/s/{signing.token_for(survey.pk)}")
    expect(page.get_by_role("alert")).to_contain_text("đã trả lời")
    ctx.close()
    survey.refresh_from_db()
    assert survey.score == 5 and survey.comment == "Nhân viên rất nhiệt tình"


def test_lead_reads_results_chart_and_table(page_for, resolve_case, lead):
    survey = _sent(resolve_case)
    surveys.answer(token=signing.token_for(survey.pk), score=4)
    page = page_for(lead)
    page.goto("/cx/?kind=csat&group_by=agent")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("#group-table")).to_contain_text("Trần Lan")
    expect(page.locator("#trend-table tbody tr")).to_have_count(1)
