"""1-vs-N query pins of the work-order lists: the API and the unit portal's list page."""

import pytest

from tests.cases.test_query_counts import open_one
from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


@pytest.fixture
def dispatch_one(world, lead):
    from cskh.dispatch.services.center import dispatch_case

    def _dispatch(i: int):
        return dispatch_case(case=open_one(world, i), actor=lead, instructions=f"kiểm tra {i}")

    return _dispatch


@pytest.mark.parametrize("who", ["lead", "unit_staff"])
def test_listing_one_or_twenty_work_orders_takes_the_same_queries(
    client, dispatch_one, lead, unit_staff, who
):
    user = {"lead": lead, "unit_staff": unit_staff}[who]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(user)}"

    def fetch() -> int:
        r = client.get("/api/v1/dispatch/work-orders", {"limit": 50})
        assert r.status_code == 200, r.content
        return len(r.json()["items"])

    assert_one_and_many_cost_the_same(fetch, dispatch_one)


def test_portal_list_with_one_or_twenty_work_orders_takes_the_same_queries(
    client, dispatch_one, unit_staff
):
    client.force_login(unit_staff)
    rows: list[str] = []

    def add(i: int) -> None:
        rows.append(f'data-wo="{dispatch_one(i).pk}"')

    def fetch() -> int:
        r = client.get("/portal/")
        assert r.status_code == 200
        html = r.content.decode()
        return sum(row in html for row in rows)

    assert_one_and_many_cost_the_same(fetch, add)


def test_work_order_events_one_or_twenty_take_the_same_queries(client, dispatch_one, unit_staff):
    from cskh.dispatch.services.field import accept, add_progress_note

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(unit_staff)}"
    wo = accept(work_order=dispatch_one(1), actor=unit_staff)
    url = f"/api/v1/dispatch/work-orders/{wo.pk}/events"
    before = len(client.get(url).json())

    def add(i: int) -> None:
        if i:
            add_progress_note(work_order=wo, actor=unit_staff, body=f"đang xử lý {i}")

    def fetch() -> int:
        r = client.get(url)
        assert r.status_code == 200, r.content
        return len(r.json()) - before + 1

    assert_one_and_many_cost_the_same(fetch, add)
