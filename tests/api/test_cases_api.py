"""The public API through Django's test client; two smoke tests go over real HTTP against a
live server."""

import pytest

JSON = "application/json"


@pytest.fixture
def client(world, api_as):
    return api_as(world["agent"])


@pytest.mark.django_db(transaction=True)
def test_openapi_is_served(http, world):
    r = http(world["agent"]).get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in [
        "/api/v1/customers",
        "/api/v1/cases",
        "/api/v1/cases/{number}/transitions",
        "/api/v1/cases/{number}/notes",
        "/api/v1/customers/{customer_id}",
    ]:
        assert p in paths


@pytest.mark.django_db(transaction=True)
def test_requires_token(http, world):
    anon = http()
    r = anon.get("/api/v1/cases")
    assert r.status_code == 401
    assert r.json()["detail"]
    bad = http(token="cskh_nope")
    assert bad.get("/api/v1/cases").status_code == 401


def test_customer_create_and_lookup_any_format(client):
    r = client.post(
        "/api/v1/customers",
        content_type=JSON,
        data={
            "full_name": "Võ Thị Hạnh",
            "phones": ["0903.111.222", "+84 28 3822 1234"],
            "email": "hanh@example.vn",
            "address": "5 Pasteur, Phường Bến Thành, TP.HCM",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["phones"] == ["+84903111222", "+842838221234"]
    assert body["ward"] == "Phường Bến Thành"
    for fmt in ["0903111222", "84903111222", "+84 903 111 222", "0903 111 222"]:
        items = client.get("/api/v1/customers", query_params={"phone": fmt}).json()["items"]
        assert [c["id"] for c in items] == [body["id"]]
    assert client.get(f"/api/v1/customers/{body['id']}").json()["full_name"] == "Võ Thị Hạnh"
    assert client.get("/api/v1/customers", query_params={"code": body["code"]}).json()["items"]


def test_customer_bad_input(client):
    from cskh.customers.models import Customer

    before = Customer.objects.count()
    r = client.post(
        "/api/v1/customers", content_type=JSON, data={"full_name": "X", "phones": ["12ab"]}
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_phone"
    r = client.post("/api/v1/customers", content_type=JSON, data={"phones": ["0901234567"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "full_name"
    r = client.post("/api/v1/customers", data=b"{not json", content_type=JSON)
    assert 400 <= r.status_code < 500
    assert client.get("/api/v1/customers/999999").status_code == 404
    assert Customer.objects.count() == before


def test_case_lifecycle_over_http(client, world):
    r = client.post(
        "/api/v1/cases",
        content_type=JSON,
        data={
            "phone": "0901 234 567",
            "type": "outage",
            "description": "Mất điện từ 7 giờ sáng",
            "channel": "phone",
        },
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["number"].startswith("CS-")
    assert case["status"] == "new" and case["type"] == "outage"
    assert case["customer_id"] == world["customer"].id
    assert case["unit"] == "PC-SG" and case["due_at"]
    number = case["number"]
    r = client.post(
        f"/api/v1/cases/{number}/transitions", content_type=JSON, data={"to": "in_progress"}
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = client.post(
        f"/api/v1/cases/{number}/notes",
        content_type=JSON,
        data={"body": "Đã báo đội sửa chữa", "public": True},
    )
    assert r.status_code == 201 and r.json()["kind"] == "reply"
    r = client.post(
        f"/api/v1/cases/{number}/transitions",
        content_type=JSON,
        data={"to": "resolved", "note": "Đã khôi phục cấp điện"},
    )
    assert r.json()["status"] == "resolved"
    events = client.get(f"/api/v1/cases/{number}/events").json()
    assert [e["kind"] for e in events] == ["created", "status", "reply", "status"]
    assert client.get(f"/api/v1/cases/{number.lower()}").json()["number"] == number


def test_case_errors_are_4xx_and_change_nothing(client, world):
    from cskh.cases.models import Case

    cases = [
        (
            {"customer_id": world["customer"].id, "type": "teleport", "description": "x"},
            400,
            "unknown_case_type",
        ),
        ({"phone": "09x", "type": "outage", "description": "x"}, 400, "bad_phone"),
        ({"phone": "0999999999", "type": "outage", "description": "x"}, 404, "not_found"),
        ({"customer_id": 987654, "type": "outage", "description": "x"}, 404, "not_found"),
        ({"type": "outage", "description": "x"}, 400, "missing_customer"),
        (
            {"customer_id": world["customer"].id, "type": "outage", "description": "x" * 20_001},
            422,
            "validation",
        ),
        (
            {
                "customer_id": world["customer"].id,
                "type": "outage",
                "description": "x",
                "channel": "fax",
            },
            400,
            "bad_channel",
        ),
    ]
    for payload, status, code in cases:
        r = client.post("/api/v1/cases", content_type=JSON, data=payload)
        assert r.status_code == status, (payload, r.text)
        assert r.json()["code"] == code
        assert r.json()["detail"]
    assert Case.objects.count() == 0

    r = client.post(
        "/api/v1/cases",
        content_type=JSON,
        data={"customer_id": world["customer"].id, "type": "billing", "description": "x"},
    )
    number = r.json()["number"]
    r = client.post(f"/api/v1/cases/{number}/transitions", content_type=JSON, data={"to": "closed"})
    assert r.status_code == 409 and "Không thể chuyển" in r.json()["detail"]
    r = client.post(f"/api/v1/cases/{number}/transitions", content_type=JSON, data={"to": "flying"})
    assert r.status_code == 400
    assert client.get(f"/api/v1/cases/{number}").json()["status"] == "new"
    assert client.get("/api/v1/cases/CS-1999-000001").status_code == 404
    assert (
        client.post(
            f"/api/v1/cases/{number}/notes", content_type=JSON, data={"body": "  "}
        ).status_code
        == 400
    )
    assert client.get("/api/v1/cases", query_params={"cursor": "%%%"}).status_code == 400
    assert client.get("/api/v1/cases", query_params={"status": "nope"}).status_code == 400


def test_keyset_pagination_walks_everything_once(client, world):
    for i in range(7):
        r = client.post(
            "/api/v1/cases",
            content_type=JSON,
            data={"customer_id": world["customer"].id, "type": "general", "description": f"q{i}"},
        )
        assert r.status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/cases", query_params=params).json()
        seen += [c["number"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)
    due = client.get("/api/v1/cases", query_params={"order": "due_at", "limit": 50}).json()["items"]
    assert [c["due_at"] for c in due] == sorted(c["due_at"] for c in due)


def test_unit_staff_sees_only_own_unit(api_as, world, unit_staff, other_unit):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type
    from cskh.customers.services import create_customer

    mine = open_case(
        customer=world["customer"], case_type=get_case_type("outage"), description="mine"
    )
    ward = other_unit.wards.first()
    stranger = create_customer(full_name="Khách khác", phones=["0911111111"], ward_code=ward.code)
    theirs = open_case(customer=stranger, case_type=get_case_type("outage"), description="other")
    assert theirs.unit == other_unit
    staff = api_as(unit_staff)
    numbers = [c["number"] for c in staff.get("/api/v1/cases").json()["items"]]
    assert numbers == [mine.number]
    assert staff.get(f"/api/v1/cases/{theirs.number}").status_code == 404  # not theirs
    assert (
        staff.post(
            f"/api/v1/cases/{theirs.number}/notes", content_type=JSON, data={"body": "x"}
        ).status_code
        == 404
    )
    assert staff.get(f"/api/v1/customers/{stranger.id}").status_code == 404
    assert staff.get(f"/api/v1/customers/{world['customer'].id}").status_code == 200
    assert staff.get("/api/v1/customers", query_params={"phone": "0911111111"}).status_code == 403
