"""Query-count pins of the case API, per database, through Django's test client.

A change in these numbers is a change in the cost of every case opened: when one moves, look at
the queries the failure lists and pin the new number only if the new query is meant to be
there. The first request of each test warms the process caches (catalog, routing, SLA
calendars, templates), as a running server has them. The cache is in memory here: on SQLite
the default cache is a database table, whose reads and writes (rate limit, cache versions) are
the cache's cost, not the endpoint's, and would make the count depend on timing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_token
from tests.querycounts import cache_without_sql

# POST /api/v1/cases, warm: customer by phone with its primary phone (the "received" message
# goes to it) in one query, the case (on PostgreSQL its number comes from the sequence inside
# the INSERT; SQLite counts in a row) with the customer's only service point (one query to
# find it), its first event, the hooks' rows (SLA clock, text
# analysis, received message, search document), audit row; BEGIN/COMMIT or savepoints.
POST_KNOWN_CALLER = {"postgresql": 11, "sqlite": 20}
# the same for an outage: incidents links the case to an outage or looks for one forming
POST_OUTAGE = {"postgresql": 15, "sqlite": 24}


@pytest.fixture(autouse=True)
def memory_cache(settings):
    cache_without_sql(settings)


@pytest.fixture
def api(client, world):
    token = make_token(world["agent"])
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _post(api, **payload):
    r = api.post("/api/v1/cases", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    return r.json()


def _queries_of_post(api, payload: dict) -> CaptureQueriesContext:
    """The queries of the second of two identical requests. Both commit, as a server's do (the
    first commit teaches the process that this year's case-number sequence exists)."""
    _post(api, **payload)
    with CaptureQueriesContext(connection) as ctx:
        _post(api, **payload)
    return ctx


def _listing(ctx: CaptureQueriesContext) -> str:
    return "\n".join(f"{i}. {q['sql'][:300]}" for i, q in enumerate(ctx.captured_queries, 1))


@pytest.mark.django_db(transaction=True)
def test_post_case_for_a_known_caller_takes_a_pinned_number_of_queries(api):
    ctx = _queries_of_post(
        api,
        {"phone": "0901 234 567", "type": "meter", "description": "Công tơ chạy nhanh"},
    )
    assert len(ctx) == POST_KNOWN_CALLER[connection.vendor], _listing(ctx)


@pytest.mark.django_db(transaction=True)
def test_post_outage_case_takes_a_pinned_number_of_queries(api):
    ctx = _queries_of_post(
        api,
        {"phone": "0901 234 567", "type": "outage", "description": "Mất điện từ 7 giờ sáng"},
    )
    assert len(ctx) == POST_OUTAGE[connection.vendor], _listing(ctx)
