"""In the browser: a phone typed into the search page finds the customer without the number
ever appearing in the address bar (HTMX POST with the CSRF token, CSP clean)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_phone_search_keeps_the_number_out_of_the_url(sworld, session_page, csp_violations):
    page = session_page(sworld["agent"], "/search/", wait_for="#search-q")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.fill("#search-q", "0912 888 777")
    page.press("#search-q", "Enter")
    expect(page.locator("#search-results")).to_contain_text("Trần Thị Bình")
    assert "0912" not in page.url and "888" not in page.url
    searches = [r for r in requests if "/search/" in r]
    assert searches and all(r.startswith("POST ") and "888" not in r for r in searches)
    assert csp_violations == []
