"""1-vs-N query pins of search: the API and the desk's search page."""

import pytest

from tests.cases.test_query_counts import open_one
from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


@pytest.fixture
def add_hit(world):
    from cskh.customers.services import create_customer

    def _add(kind: str, i: int) -> str:
        """Item i matching the query "phạm" (case: in the description); returns its ref."""
        if kind == "customer":
            return create_customer(
                full_name=f"Phạm Thị {i}",
                phones=[f"0912 000 {i:03d}"],
                ward_code=world["customer"].ward.code,
            ).code
        return open_one(world, i, description=f"Ông Phạm báo sự cố {i}").number

    return _add


@pytest.mark.parametrize("kind", ["customer", "case"])
def test_search_api_with_one_or_twenty_hits_takes_the_same_queries(client, lead, add_hit, kind):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"

    def fetch() -> int:
        r = client.get("/api/v1/search", {"q": "pham", "kind": kind, "limit": 50})
        assert r.status_code == 200, r.content
        return len(r.json()["items"])

    assert_one_and_many_cost_the_same(fetch, lambda i: add_hit(kind, i))


@pytest.mark.parametrize("kind", ["customer", "case", ""])
def test_search_page_with_one_or_twenty_hits_takes_the_same_queries(client, lead, add_hit, kind):
    client.force_login(lead)
    refs: list[str] = []

    def fetch() -> int:
        r = client.get("/search/", {"q": "Phạm", "kind": kind})
        assert r.status_code == 200
        html = r.content.decode()
        return sum(ref in html for ref in refs)

    assert_one_and_many_cost_the_same(fetch, lambda i: refs.append(add_hit(kind or "case", i)))
