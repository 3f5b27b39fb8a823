"""1-vs-N query pins of the customer list API."""

import pytest

from tests.conftest import make_token
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


@pytest.fixture(autouse=True)
def _no_sql_cache(settings):
    cache_without_sql(settings)


@pytest.mark.parametrize("params", [{"q": "Phạm"}, {"phone": "0987 654 321"}])
def test_listing_one_or_twenty_customers_takes_the_same_queries(client, world, params):
    from cskh.customers.services import add_service_point, create_customer

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(world['agent'])}"
    ward = world["customer"].ward

    def add(i: int) -> None:
        # several phones and service points each, so a per-customer query would show
        c = create_customer(
            full_name=f"Phạm Thị {i}",
            phones=["0987 654 321", f"0912 000 {i:03d}"],
            address=f"{i} Lê Lợi",
            ward_code=ward.code,
        )
        for k in range(2):
            add_service_point(
                customer=c, code=f"PX{i:03d}{k}", kind="meter", address=f"{i}/{k} Lê Lợi"
            )

    def fetch() -> int:
        r = client.get("/api/v1/customers", {**params, "limit": 50})
        assert r.status_code == 200, r.content
        return len(r.json()["items"])

    # look-up by phone stops at MAX_PHONE_MATCHES customers
    assert_one_and_many_cost_the_same(fetch, add, many=10 if "phone" in params else 20)
