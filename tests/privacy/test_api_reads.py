"""API reads of a customer are in the access log like the desk's card and search; the phone
look-up has a POST that keeps the number out of the URL."""

from __future__ import annotations

import pytest

from cskh.privacy.models import AccessLog

pytestmark = pytest.mark.django_db
JSON = "application/json"


def rows():
    return list(
        AccessLog.objects.order_by("id").values_list("user_id", "customer_id", "action", "detail")
    )


def test_customer_detail_is_logged_as_a_card_read(api_as, world):
    agent, customer = world["agent"], world["customer"]
    r = api_as(agent).get(f"/api/v1/customers/{customer.pk}")
    assert r.status_code == 200
    assert rows() == [(agent.pk, customer.pk, "card", "api")]


def test_not_found_is_not_logged(api_as, world):
    assert api_as(world["agent"]).get("/api/v1/customers/999999").status_code == 404
    assert rows() == []


def test_phone_lookup_posts_the_number_and_is_logged(api_as, world):
    agent, customer = world["agent"], world["customer"]
    r = api_as(agent).post(
        "/api/v1/customers/lookup", data={"phone": "0901 234 567"}, content_type=JSON
    )
    assert r.status_code == 200
    assert [c["id"] for c in r.json()["items"]] == [customer.pk]
    assert rows() == [(agent.pk, customer.pk, "search", "+84901234567")]


def test_phone_lookup_without_a_match_logs_the_search(api_as, world):
    agent = world["agent"]
    r = api_as(agent).post(
        "/api/v1/customers/lookup", data={"phone": "0912 000 111"}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["items"] == []
    assert rows() == [(agent.pk, None, "search", "+84912000111")]


def test_lookup_by_code_and_empty_body(api_as, world):
    agent, customer = world["agent"], world["customer"]
    client = api_as(agent)
    r = client.post("/api/v1/customers/lookup", data={"code": customer.code}, content_type=JSON)
    assert [c["id"] for c in r.json()["items"]] == [customer.pk]
    assert rows() == [(agent.pk, customer.pk, "search", "api:code")]
    r = client.post("/api/v1/customers/lookup", data={}, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "missing_query"


def test_unit_staff_cannot_look_up(api_as, world, unit_staff):
    r = api_as(unit_staff).post(
        "/api/v1/customers/lookup", data={"phone": "0901 234 567"}, content_type=JSON
    )
    assert r.status_code == 403 and rows() == []


def test_deprecated_get_by_phone_is_still_answered_and_logged(api_as, world):
    agent, customer = world["agent"], world["customer"]
    r = api_as(agent).get("/api/v1/customers", {"phone": "0901234567"})
    assert [c["id"] for c in r.json()["items"]] == [customer.pk]
    assert rows() == [(agent.pk, customer.pk, "search", "+84901234567")]


def test_a_customers_cases_are_logged(api_as, world):
    agent, customer = world["agent"], world["customer"]
    r = api_as(agent).get("/api/v1/cases", {"customer_id": customer.pk})
    assert r.status_code == 200
    assert rows() == [(agent.pk, customer.pk, "view", "api:cases")]
    api_as(agent).get("/api/v1/cases")  # not one customer's: nothing logged
    assert len(rows()) == 1
