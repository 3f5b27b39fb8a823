"""Kiosk → display (live over SSE) → counter call-next → visit logged as a case with
channel counter, in real headless Chromium against the live server."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_kiosk_display_counter_logged_visit(
    browser, live_server, page_for, office, svc, officer, customer, textintel_models
):
    from cskh.cases.models import Case

    public = browser.new_context(base_url=live_server.url, locale="vi-VN")
    try:
        display = public.new_page()
        display.goto(f"/quay/{office.code}/man-hinh/")
        display.wait_for_selector("#board[data-live=on]", timeout=15_000)
        expect(display.locator("tr[data-counter='1'] td.num")).to_have_text("—")

        kiosk = public.new_page()
        kiosk.goto(f"/quay/{office.code}/")
        kiosk.fill("#kiosk-phone", "0901 234 567")
        kiosk.click("button[data-letter=A]")
        expect(kiosk.locator("#ticket-number")).to_have_text("A001")
        # the issued ticket reaches the board's waiting count without a reload
        expect(display.locator("[data-waiting=A]")).to_have_text("1", timeout=15_000)

        counter = page_for(officer)
        counter.goto(f"/quay-giao-dich/{office.code}/1/")
        requests = []
        display.on("request", lambda r: requests.append(r.url))
        counter.click("#btn-next")
        expect(counter.locator("#current-number")).to_have_text("A001")
        # live: the display shows the number at counter 1 (pushed, then one board fetch)
        expect(display.locator("tr[data-counter='1'] td.num")).to_have_text("A001", timeout=15_000)
        assert all("/man-hinh/bang" in u for u in requests)
        # the phone given at the kiosk brings up the customer card
        expect(counter.locator("#customer-card")).to_contain_text("Nguyễn Văn An")

        counter.click("#btn-start")
        counter.select_option("#log-type", "billing")
        counter.fill("#log-desc", "Khách hỏi vì sao hoá đơn tháng này tăng cao")
        counter.click("#btn-log")
        logged = counter.locator("#logged-case")
        expect(logged).to_contain_text("Quầy giao dịch")
        number = logged.get_attribute("data-case")
        case = Case.objects.get(number=number)
        assert case.channel == "counter" and case.customer_id == customer.pk

        counter.click("#btn-finish")
        expect(counter.locator("#btn-next")).to_be_visible()
        expect(display.locator("tr[data-counter='1'] td.num")).to_have_text("—", timeout=15_000)
    finally:
        public.close()
