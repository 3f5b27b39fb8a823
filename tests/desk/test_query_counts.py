"""1-vs-N query pins of the desk queue page."""

import pytest

from tests.cases.test_query_counts import open_one
from tests.conftest import make_token
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


def test_team_presence_with_one_or_twenty_agents_takes_the_same_queries(
    client, settings, center, lead
):
    from cskh.org.services import create_user
    from cskh.telephony.services import set_presence

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"

    def add(i: int) -> None:
        agent = create_user(
            username=f"tvv{i:02d}", password="Matkhau!2026", role="agent", unit=center
        )
        if i % 2:  # the others never set one (offline)
            set_presence(user=agent, state="available")

    def fetch() -> int:
        r = client.get("/api/v1/desk/team")
        assert r.status_code == 200, r.content
        return sum(row["user"].startswith("tvv") for row in r.json())

    assert_one_and_many_cost_the_same(fetch, add)
