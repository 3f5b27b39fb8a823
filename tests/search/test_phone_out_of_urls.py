"""A phone number typed into the search stays out of URLs: the page's forms POST, a phone
query pages with a POST form, the API has a POST; phone searches are in the access log."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cskh.privacy.models import AccessLog

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_search_forms_post_with_csrf(sworld, client):
    client.force_login(sworld["agent"])
    html = client.get("/search/").content.decode()
    forms = re.findall(r"<form[^>]*role=\"search\"[^>]*>", html)
    assert forms and all('method="post"' in f for f in forms)
    assert "hx-get" not in forms[-1] and "hx-push-url" not in forms[-1]
    assert "csrfmiddlewaretoken" in html


def test_search_page_answers_a_post_and_logs_the_phone(sworld):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sworld["agent"])
    page = client.get("/search/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    r = client.post("/search/", {"q": "0912 888 777", "csrfmiddlewaretoken": token})
    assert r.status_code == 200
    assert "Trần Thị Bình" in r.content.decode()
    row = AccessLog.objects.get()
    assert (row.user_id, row.customer_id, row.action, row.detail) == (
        sworld["agent"].pk,
        sworld["binh"].pk,
        "search",
        "+84912888777",
    )
    assert client.post("/search/", {"q": "0912 888 777"}).status_code == 403  # CSRF


def test_a_name_search_is_not_logged_and_pages_by_link(sworld, client):
    client.force_login(sworld["agent"])
    r = client.post("/search/", {"q": "nguyen van an"})
    assert r.status_code == 200 and "<mark>Nguyễn</mark>" in r.content.decode()
    assert AccessLog.objects.count() == 0


def test_api_search_post_keeps_the_phone_in_the_body(sworld, api_as):
    r = api_as(sworld["agent"]).post(
        "/api/v1/search", data={"q": "0912888777", "kind": "customer"}, content_type=JSON
    )
    assert r.status_code == 200
    assert sworld["binh"].pk in [i["id"] for i in r.json()["items"]]
    assert AccessLog.objects.filter(action="search", detail="+84912888777").exists()
