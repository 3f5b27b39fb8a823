"""1-vs-N query pin of a case's notifications (GET /api/v1/notifications?case=)."""

import pytest

from tests.cases.test_query_counts import open_one
from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


def test_listing_one_or_twenty_notifications_takes_the_same_queries(client, world, lead):
    from cskh.notify.models import Notification
    from cskh.notify.services import case_context, notify_customer

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(lead)}"
    case = open_one(world, 1)
    before = Notification.objects.filter(case=case).count()

    def add(i: int) -> None:
        if i:
            notify_customer(
                customer=world["customer"],
                template="case_resolved" if i % 2 else "need_info",
                context=case_context(case),
                case=case,
                channel="email" if i % 3 else None,
            )

    def fetch() -> int:
        r = client.get("/api/v1/notifications", {"case": case.number})
        assert r.status_code == 200, r.content
        return len(r.json()) - before + 1

    assert_one_and_many_cost_the_same(fetch, add)
