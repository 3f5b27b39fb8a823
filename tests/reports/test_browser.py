"""The wallboard and a report in real headless Chromium against the live server: a CTI event
POSTed to the API changes the tiles without a reload (SSE push); a report shows its SVG chart
and its XLSX download opens in openpyxl with the Vietnamese intact."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def post_call(client, call_id, event):
    r = client.post(
        "/api/v1/telephony/events",
        json={
            "call_id": call_id,
            "event": event,
            "from_number": "0901234567",
            "to_number": "19009000",
            "agent_extension": "1001",
        },
    )
    assert r.status_code == 200, r.text


def test_wallboard_updates_live_on_a_call_event(world, lead, pbx, http, session_page):
    page = session_page(lead, "/reports/wallboard/", viewport=(1920, 1080))
    page.wait_for_selector("body[data-live=connected]", timeout=15_000)
    assert page.locator("#tile-waiting .wb-n").get_attribute("data-value") == "0"
    loads = []
    page.on("framenavigated", lambda f: loads.append(f.url))
    client = http(pbx)
    post_call(client, "wb-1", "ringing")
    page.wait_for_selector('#tile-waiting .wb-n[data-value="1"]', timeout=15_000)
    post_call(client, "wb-1", "answered")
    page.wait_for_selector('#tile-waiting .wb-n[data-value="0"]', timeout=15_000)
    page.wait_for_selector("#state-on_call .wb-n >> text=1", timeout=15_000)
    assert loads == []  # no reload: pushed over the open stream
    # readable on a wall TV: nothing overflows 1920 px
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_report_chart_and_xlsx_download_in_vietnamese(world, make_case, session_page):
    from cskh.org.services import create_user
    from cskh.reports.services import rollups

    manager = create_user(
        username="quanly2", password="Matkhau!2026", role="manager", unit=world["center"]
    )
    make_case(timezone.now() - timedelta(days=1))
    make_case(timezone.now() - timedelta(days=1), channel="zalo")
    rollups.rebuild(timezone.localdate() - timedelta(days=3), timezone.localdate())
    page = session_page(manager, "/reports/?r=contacts_channel")
    chart = page.locator("svg#report-chart")
    chart.wait_for(timeout=15_000)
    assert chart.locator("rect").count() == 2
    assert "Điện thoại" in page.locator("#report-table").inner_text()
    with page.expect_download() as info:
        page.click("#export-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as fh:
        ws = load_workbook(io.BytesIO(fh.read())).active
    assert ws["A1"].value == "Kênh"
    assert {ws["A2"].value, ws["A3"].value} == {"Điện thoại", "Zalo"}
    assert ws.freeze_panes == "A2"
