"""1-vs-N query pins of the case lists: the API and the desk queue page (tests/desk)."""

import pytest

from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


def open_one(world, i: int, *, description: str = ""):
    """Cases of both types, some assigned and some not, from agents and from the system."""
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type

    return open_case(
        customer=world["customer"],
        case_type=get_case_type("meter" if i % 2 else "outage"),
        description=description or f"vụ việc {i}",
        actor=world["agent"] if i % 3 else None,
        assign_to_actor=bool(i % 3),
    )


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/cases?status=new"])
def test_listing_one_or_twenty_cases_takes_the_same_queries(client, world, lead, path):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"

    def fetch() -> int:
        r = client.get(path, {"limit": 50})
        assert r.status_code == 200, r.content
        return len(r.json()["items"])

    assert_one_and_many_cost_the_same(fetch, lambda i: open_one(world, i))


def test_case_events_one_or_twenty_take_the_same_queries(client, world):
    from cskh.cases.services import add_note

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(world['agent'])}"
    case = open_one(world, 1)
    before = len(client.get(f"/api/v1/cases/{case.number}/events").json())

    def fetch() -> int:
        r = client.get(f"/api/v1/cases/{case.number}/events")
        assert r.status_code == 200, r.content
        return len(r.json()) - before + 1

    def add(i: int) -> None:
        if i:
            add_note(case=case, actor=world["agent"], body=f"ghi chú {i}")

    assert_one_and_many_cost_the_same(fetch, add)
