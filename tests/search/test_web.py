"""GET /api/v1/search and the desk search page, through Django's test client."""


def test_api_search(sworld, api_as):
    client = api_as(sworld["agent"])
    r = client.get("/api/v1/search", query_params={"q": "mat dien", "kind": "case"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert {i["id"] for i in items} == {sworld["case_an"].number, sworld["case_binh"].number}
    assert set(items[0]) >= {"kind", "id", "title", "snippet", "score"}
    assert any("<mark>Mất</mark> <mark>điện</mark>" in i["snippet"] for i in items)

    r = client.get("/api/v1/search", query_params={"q": "nguyen van an", "kind": "customer"})
    first = r.json()["items"][0]
    assert first == first | {"kind": "customer", "id": sworld["an"].id, "title": "Nguyễn Văn An"}

    r = client.get("/api/v1/search", query_params={"q": "0901 23"})
    assert [i["id"] for i in r.json()["items"]] == [sworld["an"].id]


def test_api_requires_authentication(sworld, api_as):
    r = api_as().get("/api/v1/search", query_params={"q": "mat dien"})
    assert r.status_code == 401


def test_api_rejects_bad_queries_with_vietnamese_message(sworld, api_as):
    client = api_as(sworld["agent"])
    for params, code in [
        ({}, "empty_query"),
        ({"q": "a"}, "query_too_short"),
        ({"q": "đ" * 300}, "query_too_long"),
        ({"q": "mat dien", "kind": "x"}, "bad_kind"),
    ]:
        r = client.get("/api/v1/search", query_params=params)
        assert r.status_code == 400, params
        assert r.json()["code"] == code
        assert "tìm kiếm" in r.json()["detail"] or "Loại" in r.json()["detail"]


def test_api_unit_isolation(sworld, api_as):
    client = api_as(sworld["unit_staff"])
    r = client.get("/api/v1/search", query_params={"q": "mat dien"})
    ids = [i["id"] for i in r.json()["items"]]
    assert sworld["case_an"].number in ids
    assert sworld["case_binh"].number not in ids
    assert sworld["binh"].id not in ids


def test_search_page(sworld, client):
    client.force_login(sworld["agent"])
    r = client.get("/search/", {"q": "nguyen van an"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<mark>Nguyễn</mark> <mark>Văn</mark> <mark>An</mark>" in html
    assert 'name="q"' in html
    r = client.get("/search/", {"q": "a"})
    assert r.status_code == 400
    assert "quá ngắn" in r.content.decode()
    r = client.get("/search/", {"q": "mat dien"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert r.content.decode().count('class="hit ') == 2


def test_search_page_requires_login(sworld, client):
    r = client.get("/search/", {"q": "mat dien"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_search_page_pages_older_cases(sworld, client):
    """30 cases a page, most recent first; the link carries the keyset cursor."""
    import re
    from html import unescape

    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    outage = get_case_type("outage")
    for i in range(29):  # 31 matching cases with the two of sworld
        open_case(customer=sworld["an"], case_type=outage, description=f"Mất điện lần {i}")
    client.force_login(sworld["agent"])
    html = client.get("/search/", {"q": "mat dien", "kind": "case"}).content.decode()
    assert html.count('data-kind="case"') == 30
    assert sworld["case_an"].number not in html  # the oldest is on the next page
    link = unescape(re.search(r'<p class="more"><a href="\?([^"]+)"', html).group(1))
    assert "cursor=" in link
    html = client.get("/search/?" + link).content.decode()
    assert html.count('data-kind="case"') == 1 and sworld["case_an"].number in html
    assert '<p class="more">' not in html
