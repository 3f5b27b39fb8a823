"""1-vs-N query pins of the knowledge lists (articles, canned answers)."""

import pytest

from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


@pytest.mark.parametrize("params", [{"q": "hóa đơn"}, {"type": "meter"}])
def test_listing_one_or_twenty_articles_takes_the_same_queries(client, world, lead, params):
    from cskh.catalog.services import get_case_type
    from cskh.knowledge.services import approve_version, create_article

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(world['agent'])}"
    meter = get_case_type("meter")

    def add(i: int) -> None:
        version = create_article(
            title=f"Hóa đơn tiền điện {i}",
            body=f"Cách đọc hóa đơn tiền điện, mục {i}.",
            topic="tariff" if i % 2 else "procedure",
            case_type=meter,
            author=world["agent"],
        )
        approve_version(version=version, approver=lead)

    def fetch() -> int:
        r = client.get("/api/v1/knowledge/articles", {**params, "limit": 50})
        assert r.status_code == 200, r.content
        return len(r.json()["items"])

    assert_one_and_many_cost_the_same(fetch, add)
