"""Bad input answers 4xx with a message, never 500 (the generic guards in
core.middleware.BadInputMiddleware, core.pagination, the API's exception handlers)."""

import base64
import json

import pytest

from cskh.core.errors import DomainError

JSON = "application/json"


@pytest.fixture
def client(world, api_as):
    return api_as(world["agent"])


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_nul_in_query_path_and_json_body_is_400(client, world):
    r = client.get("/api/v1/customers", query_params={"name": "An\x00"})
    assert r.status_code == 400
    assert r.json()["code"] == "nul_character"
    assert client.get("/api/v1/cases/CS%00-1").status_code == 400
    r = client.post(
        "/api/v1/customers",
        content_type=JSON,
        data='{"full_name": "Nguy\\u0000n", "phones": ["0903111222"]}',
    )
    assert r.status_code == 400
    assert r.json()["code"] == "nul_character"
    r = client.post(
        "/api/v1/cases",
        content_type=JSON,
        data={"phone": "0901 234 567", "type": "outage", "description": ["x", {"k": "\x00"}]},
    )
    assert r.status_code == 400
    # a backslash followed by "u0000" as text is not NUL
    r = client.post(
        "/api/v1/customers",
        content_type=JSON,
        data='{"full_name": "A \\\\u0000 B", "phones": ["0903111223"]}',
    )
    assert r.status_code == 201, r.content


def test_nul_on_pages_is_400(client, world):
    client.force_login(world["agent"])
    r = client.get("/search/", query_params={"q": "\x00"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "values", [["abc"], [{"a": 1}], [[1]], [True], [2**70], ["x\x00"], [1, 2], "notalist"]
)
def test_badly_typed_cursors_are_400(client, values):
    r = client.get("/api/v1/cases", query_params={"cursor": _cursor(values)})
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "bad_cursor"


def test_garbage_cursor_is_400(client):
    for cursor in ["%%%", "Ö", "AAAA", "e30"]:
        r = client.get("/api/v1/cases", query_params={"cursor": cursor})
        assert r.status_code == 400, (cursor, r.content)


def test_body_over_10_mb_is_413(client):
    big = '{"description": "' + "a" * (10 * 1024 * 1024) + '"}'
    r = client.post("/api/v1/cases", content_type=JSON, data=big)
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"


def test_multipart_without_boundary_is_400(client):
    r = client.post(
        "/api/v1/planned-outages/import",
        content_type="multipart/form-data",
        data=b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "bad_form"


def test_import_422_bodies_match_the_documented_schemas(world, api_as):
    from cskh.org.services import create_user

    manager = create_user(username="ql", password="Matkhau!2026", role="manager")
    client = api_as(manager)
    schema = client.get("/api/v1/openapi.json").json()
    documented = schema["paths"]["/api/v1/planned-outages/import"]["post"]["responses"]["422"]
    refs = {
        ref["$ref"].rsplit("/", 1)[1]
        for ref in documented["content"]["application/json"]["schema"]["anyOf"]
    }
    assert refs == {"RejectedOut", "ErrorOut"}
    r = client.post("/api/v1/planned-outages/import", data={"other": "x"})  # no file
    assert r.status_code == 422
    assert set(r.json()) <= {"detail", "code", "errors"} and r.json()["errors"]


def test_customer_email_is_one_valid_address(client, customer):
    from cskh.customers.services import update_customer

    for bad in ["a@x.vn, b@y.vn", "a@x.vn;b@y.vn", "khong-phai-email", "a@x"]:
        r = client.post(
            "/api/v1/customers",
            content_type=JSON,
            data={"full_name": "Lê Văn Bình", "phones": ["0903111224"], "email": bad},
        )
        assert r.status_code == 400, (bad, r.content)
        assert r.json()["code"] == "bad_email"
        with pytest.raises(DomainError):
            update_customer(customer=customer, email=bad)
    ok = client.post(
        "/api/v1/customers",
        content_type=JSON,
        data={"full_name": "Lê Văn Bình", "phones": ["0903111224"], "email": " binh@evn.vn "},
    )
    assert ok.status_code == 201 and ok.json()["email"] == "binh@evn.vn"
