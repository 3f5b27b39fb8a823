"""1-vs-N query pins of the desk queue page."""

import pytest

from tests.cases.test_query_counts import open_one
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


@pytest.mark.parametrize("view", ["mine", "all", "unassigned"])
def test_queue_page_with_one_or_twenty_cases_takes_the_same_queries(client, world, lead, view):
    user = world["agent"] if view == "mine" else lead
    client.force_login(user)
    numbers: list[str] = []

    def add(i: int) -> None:
        # every case is the agent's on "mine", nobody's on "unassigned", mixed on "all"
        case = open_one(world, {"mine": 1, "unassigned": 3, "all": i}[view])
        numbers.append(case.number)

    def fetch() -> int:
        r = client.get("/desk/queue/", {"view": view})
        assert r.status_code == 200
        html = r.content.decode()
        return sum(n in html for n in numbers)

    assert_one_and_many_cost_the_same(fetch, add)
