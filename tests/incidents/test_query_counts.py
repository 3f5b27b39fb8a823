"""1-vs-N query pins of the incident lists: the API (incidents, their cases and events, planned
outages) and the incidents page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


@pytest.fixture
def create_one(world, ben_thanh, lead):
    from cskh.incidents.services import create_incident

    def _create(i: int, kind: str = "unplanned_outage", *, suspected: bool = True):
        """Incident i: every other unplanned one suspected (unless `suspected` is False)."""
        planned = kind == "planned_outage"
        start = timezone.now() + timedelta(days=2, hours=i) if planned else None
        return create_incident(
            kind=kind,
            title=f"Sự cố {i}",
            scope={"wards": [ben_thanh.code]},
            actor=lead,
            status="suspected" if i % 2 and suspected and not planned else "confirmed",
            started_at=start,
            eta=start + timedelta(hours=4) if planned else None,
        )

    return _create


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/incidents", "unplanned_outage"),
        ("/api/v1/incidents", "planned_outage"),
        ("/api/v1/planned-outages", "planned_outage"),
        (None, "unplanned_outage"),  # the incidents of one customer
    ],
)
def test_listing_one_or_twenty_incidents_takes_the_same_queries(
    client, world, create_one, lead, path, kind
):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"
    # the desk banner shows a customer's confirmed incidents only
    suspected = path is not None
    path = path or f"/api/v1/incidents/for-customer/{world['customer'].pk}"

    def fetch() -> int:
        r = client.get(path, {"limit": 50})
        assert r.status_code == 200, r.content
        body = r.json()
        return len(body if isinstance(body, list) else body["items"])

    assert_one_and_many_cost_the_same(fetch, lambda i: create_one(i, kind, suspected=suspected))


@pytest.mark.parametrize("kind", ["unplanned_outage", "planned_outage"])
def test_incidents_page_with_one_or_twenty_takes_the_same_queries(client, create_one, lead, kind):
    client.force_login(lead)
    links: list[str] = []

    def add(i: int) -> None:
        links.append(f'href="/incidents/{create_one(i, kind).pk}/"')

    def fetch() -> int:
        r = client.get("/incidents/")
        assert r.status_code == 200
        html = r.content.decode()
        return sum(link in html for link in links)

    assert_one_and_many_cost_the_same(fetch, add)


def test_incident_cases_one_or_twenty_take_the_same_queries(client, world, create_one, lead):
    from cskh.incidents.services import link_case
    from tests.cases.test_query_counts import open_one

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"
    incident = create_one(0)

    def add(i: int) -> None:
        link_case(incident=incident, case=open_one(world, 2 * i + 1), actor=lead)

    def fetch() -> int:
        r = client.get(f"/api/v1/incidents/{incident.pk}/cases")
        assert r.status_code == 200, r.content
        return len(r.json()["items"])

    assert_one_and_many_cost_the_same(fetch, add)


def test_incident_events_one_or_twenty_take_the_same_queries(client, create_one, lead, agent):
    from cskh.incidents.services import update_incident

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"
    incident = create_one(0)
    url = f"/api/v1/incidents/{incident.pk}/events"
    before = len(client.get(url).json())

    def add(i: int) -> None:
        if i:  # notes by two people
            update_incident(incident=incident, actor=lead if i % 2 else None, title=f"Sự cố {i}")

    def fetch() -> int:
        r = client.get(url)
        assert r.status_code == 200, r.content
        return len(r.json()) - before + 1

    assert_one_and_many_cost_the_same(fetch, add)
