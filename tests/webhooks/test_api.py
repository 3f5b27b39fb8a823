"""/api/v1/webhooks: who may manage, the secret shown once, the URL checks, the log."""

from __future__ import annotations

import pytest

from cskh.notify.worker import run_once
from cskh.webhooks.models import Subscription
from tests.conftest import make_token

pytestmark = pytest.mark.django_db
JSON = "application/json"
BASE = "/api/v1/webhooks"


def body(url: str, events=("case.opened",)) -> dict:
    return {"name": "CRM", "url": url, "events": list(events)}


@pytest.fixture
def integration(db):
    from cskh.org.services import create_user

    return create_user(username="crm", role="integration")


def token(user, scopes):
    from cskh.org.services import create_api_token

    return create_api_token(user=user, name="t", scopes=scopes)


def test_agents_and_unit_staff_cannot_manage(api_as, agent, lead, unit_staff, receiver):
    for user in (agent, lead, unit_staff):
        client = api_as(user)
        assert client.get(f"{BASE}/subscriptions").status_code == 403
        r = client.post(f"{BASE}/subscriptions", data=body(receiver.url), content_type=JSON)
        assert r.status_code == 403
    assert Subscription.objects.count() == 0


def test_integration_tokens_need_a_suitable_scope(api_as, integration, receiver):
    read_only = api_as(token=token(integration, ["read"]))
    assert read_only.get(f"{BASE}/subscriptions").status_code == 200
    r = read_only.post(f"{BASE}/subscriptions", data=body(receiver.url), content_type=JSON)
    assert r.status_code == 403
    telephony = api_as(token=token(integration, ["telephony"]))
    assert telephony.get(f"{BASE}/subscriptions").status_code == 403
    scoped = api_as(token=token(integration, ["webhooks"]))
    r = scoped.post(f"{BASE}/subscriptions", data=body(receiver.url), content_type=JSON)
    assert r.status_code == 201
    # the webhooks scope opens this API only
    assert scoped.get("/api/v1/customers?q=An").status_code == 403


def test_manager_manages_and_sees_the_secret_once(api_as, manager, receiver):
    client = api_as(manager)
    r = client.post(f"{BASE}/subscriptions", data=body(receiver.url), content_type=JSON)
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["secret"].startswith("whsec_")
    sid = created["id"]
    shown = client.get(f"{BASE}/subscriptions/{sid}").json()
    assert "secret" not in shown and shown["created_by"] == "quanly"
    assert all("secret" not in s for s in client.get(f"{BASE}/subscriptions").json())
    rotated = client.post(f"{BASE}/subscriptions/{sid}/rotate-secret").json()
    assert rotated["secret"] != created["secret"]
    r = client.patch(
        f"{BASE}/subscriptions/{sid}",
        data={"events": ["case.changed", "incident.changed"], "is_active": False},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["events"] == ["case.changed", "incident.changed"]
    assert client.post(f"{BASE}/subscriptions/{sid}/ping").status_code == 409  # inactive
    client.patch(f"{BASE}/subscriptions/{sid}", data={"is_active": True}, content_type=JSON)
    r = client.post(f"{BASE}/subscriptions/{sid}/ping")
    assert r.status_code == 202
    uid = r.json()["id"]
    run_once(worker="t")
    page = client.get(f"{BASE}/subscriptions/{sid}/deliveries").json()
    assert [d["id"] for d in page["items"]] == [uid]
    detail = client.get(f"{BASE}/deliveries/{uid}").json()
    assert detail["status"] == "succeeded" and detail["log"][0]["status_code"] == 200
    assert client.post(f"{BASE}/deliveries/{uid}/redeliver").status_code == 202
    assert client.post(f"{BASE}/deliveries/{uid}/redeliver").status_code == 409  # pending
    assert client.delete(f"{BASE}/subscriptions/{sid}").status_code == 204
    assert client.get(f"{BASE}/subscriptions/{sid}").status_code == 404
    assert client.get(f"{BASE}/deliveries/{uid}").status_code == 404


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://203.0.113.10/hook", "url_scheme"),
        ("https://127.0.0.1/hook", "url_private"),
        ("https://10.1.2.3/hook", "url_private"),
        ("https://169.254.169.254/latest", "url_private"),
        ("https://[::1]/hook", "url_private"),
        ("https://localhost/hook", "url_private"),
        ("https://user:pw@example.com/hook", "url_userinfo"),
        ("ftp://example.com/", "url_scheme"),
    ],
)
def test_ssrf_guard_refuses_private_and_plain_targets(api_as, manager, url, code):
    r = api_as(manager).post(f"{BASE}/subscriptions", data=body(url), content_type=JSON)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code
    assert Subscription.objects.count() == 0


def test_unknown_event_is_refused(api_as, manager, receiver):
    r = api_as(manager).post(
        f"{BASE}/subscriptions", data=body(receiver.url, ["case.deleted"]), content_type=JSON
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_event"


def test_admin_creates_through_the_services(admin_client, receiver):
    r = admin_client.post(
        "/admin/webhooks/subscription/add/",
        {"name": "ERP", "url": receiver.url, "events": ["case.opened"], "is_active": "on"},
    )
    assert r.status_code == 302
    sub = Subscription.objects.get()
    # the one-time message waits in the server-side session, never in a browser cookie
    assert "messages" not in r.cookies  # (a signed cookie is readable: compressed, not secret)
    r = admin_client.get(r.url)
    assert sub.secret in r.content.decode()  # shown once, in the message
    assert sub.created_by == admin_client.user
    assert admin_client.get("/admin/webhooks/delivery/").status_code == 200


_ = make_token
