"""Role × resource matrix: who gets what status on the web pages and API endpoints of cases,
customers, work orders and incidents, plus the least-privilege fixes of #20.

One policy (org.permissions): an object the user may not see is 404; 403 only for an object
they may see but an action they may not take, or a page their role cannot use.

Every row runs for every role on the same scene, each request in a savepoint rolled back
afterwards, so a row that changes state (a transition, a cancel) starts from the same state for
each role. The API goes through the test client with Bearer tokens.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from cskh.org import permissions

pytestmark = pytest.mark.django_db

ROLES = ("agent", "lead", "unit_staff", "other_staff", "manager", "integration")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.CSKH_NOTIFY_ENQUEUE = False


@pytest.fixture
def scene(profile, center, field_unit, other_unit, agent, lead, unit_staff, customer, ben_thanh):
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type
    from cskh.customers.services import create_customer
    from cskh.dispatch import selectors as wo_selectors
    from cskh.dispatch.services import dispatch_case
    from cskh.incidents.services import create_incident
    from cskh.org.services import create_api_token, create_user

    users = {
        "agent": agent,
        "lead": lead,
        "unit_staff": unit_staff,
        "other_staff": create_user(
            username="dl_gd", password="Matkhau!2026", role="unit_staff", unit=other_unit
        ),
        "manager": create_user(
            username="quanly", password="Matkhau!2026", role="manager", unit=center
        ),
        "integration": create_user(username="pbx", password="Matkhau!2026", role="integration"),
        "admin": create_user(username="quantri", password="Matkhau!2026", role="admin"),
        "telephony": create_user(username="tongdai", password="Matkhau!2026", role="integration"),
    }
    case = open_case(customer=customer, case_type=get_case_type("meter"), description="Công tơ")
    assert case.unit == field_unit
    wo = wo_selectors.active_for_case(case) or dispatch_case(
        case=case, unit=field_unit, instructions="Kiểm tra công tơ"
    )
    case.refresh_from_db()
    incident = create_incident(
        kind="unplanned_outage",
        title="Mất điện Bến Thành",
        scope={"wards": [ben_thanh.code]},
        unit=field_unit,
    )
    ward = other_unit.wards.first()
    stranger = create_customer(full_name="Khách khác", phones=["0911111111"], ward_code=ward.code)
    return {
        "users": users,
        "tokens": {
            k: create_api_token(
                user=u, name="t", scopes=["telephony"] if k == "telephony" else None
            )
            for k, u in users.items()
        },
        "case": case,
        "wo": wo,
        "incident": incident,
        "customer": customer,
        "stranger": stranger,
    }


def _call(client, scene, role: str, channel: str, method: str, path: str, body) -> int:
    user = scene["users"][role]
    kwargs: dict = {}
    if channel == "api":
        client.logout()
        kwargs["headers"] = {"Authorization": f"Bearer {scene['tokens'][role]}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
    else:
        client.force_login(user)
        if body is not None:
            kwargs["data"] = body
    with transaction.atomic():
        status = getattr(client, method)(path, **kwargs).status_code
        transaction.set_rollback(True)
    return status


def _fmt(template: str, scene) -> str:
    return template.format(
        case=scene["case"].number,
        wo=scene["wo"].pk,
        inc=scene["incident"].pk,
        cust=scene["customer"].pk,
        phone="0901234567",
    )


# role order: agent, lead, unit_staff (right unit), other_staff (other unit), manager,
# integration (None: not asked, e.g. integration accounts on web pages)
MATRIX = [
    # ---- cases
    ("case", "api", "get", "/api/v1/cases/{case}", None, (200, 200, 200, 404, 200, 200)),
    ("case", "api", "get", "/api/v1/cases/{case}/events", None, (200, 200, 200, 404, 200, 200)),
    (
        "case",
        "api",
        "post",
        "/api/v1/cases/{case}/notes",
        {"body": "Đã liên hệ", "public": True},
        (201, 201, 403, 404, 201, 201),
    ),
    (
        "case",
        "api",
        "post",
        "/api/v1/cases/{case}/transitions",
        {"to": "resolved", "note": "Đã xử lý xong"},
        (200, 200, 403, 404, 200, 200),
    ),
    (
        "case",
        "api",
        "post",
        "/api/v1/cases",
        {"customer_id": "{cust}", "type": "meter", "description": "Công tơ chạy nhanh"},
        (201, 201, 403, 403, 201, 201),
    ),
    ("case", "web", "get", "/desk/cases/{case}/", None, (200, 200, 403, 403, 200, None)),
    (
        "case",
        "web",
        "post",
        "/desk/cases/{case}/note",
        {"body": "Ghi chú"},
        (302, 302, 403, 403, 302, None),
    ),
    # ---- customers
    ("customer", "api", "get", "/api/v1/customers/{cust}", None, (200, 200, 200, 404, 200, 200)),
    (
        "customer",
        "api",
        "get",
        "/api/v1/customers?phone={phone}",
        None,
        (200, 200, 403, 403, 200, 200),
    ),
    (
        "customer",
        "web",
        "get",
        "/desk/customers/{cust}/card",
        None,
        (200, 200, 403, 403, 200, None),
    ),
    (
        "customer",
        "web",
        "get",
        "/desk/canned?customer={cust}&type=meter",
        None,
        (200, 200, 403, 403, 200, None),
    ),
    # ---- work orders
    (
        "work_order",
        "api",
        "get",
        "/api/v1/dispatch/work-orders/{wo}",
        None,
        (200, 200, 200, 404, 200, 200),
    ),
    (
        "work_order",
        "api",
        "post",
        "/api/v1/dispatch/work-orders/{wo}/cancel",
        {"reason": "Khách hủy yêu cầu"},
        (200, 200, 403, 404, 200, 200),
    ),
    ("work_order", "web", "get", "/portal/wo/{wo}/", None, (200, 200, 200, 404, 200, None)),
    (
        "work_order",
        "web",
        "post",
        "/portal/wo/{wo}/cancel",
        {"reason": "Khách hủy yêu cầu"},
        (302, 302, 403, 404, 302, None),
    ),
    ("work_order", "api", "get", "/api/v1/dispatch/backlog", None, (403, 200, 403, 403, 200, 403)),
    ("work_order", "web", "get", "/portal/backlog/", None, (403, 200, 403, 403, 200, None)),
    # ---- incidents
    ("incident", "api", "get", "/api/v1/incidents/{inc}", None, (200, 200, 200, 404, 200, 200)),
    (
        "incident",
        "api",
        "post",
        "/api/v1/incidents/{inc}/transitions",
        {"to": "restoring"},
        (403, 200, 200, 404, 200, 200),
    ),
    (
        "incident",
        "api",
        "get",
        "/api/v1/incidents/for-customer/{cust}",
        None,
        (200, 200, 200, 404, 200, 200),
    ),
    ("incident", "web", "get", "/incidents/{inc}/", None, (200, 200, 200, 404, 200, None)),
    (
        "incident",
        "web",
        "post",
        "/incidents/{inc}/update",
        {"note": "Đội đã đến hiện trường"},
        (403, 302, 302, 404, 302, None),
    ),
    # ---- the shift board
    ("supervisor", "web", "get", "/desk/supervisor/", None, (403, 200, 403, 403, 200, None)),
    ("supervisor", "api", "get", "/api/v1/desk/team", None, (403, 200, 403, 403, 200, 403)),
]


def _body(body, scene):
    if body is None:
        return None
    out = {}
    for k, v in body.items():
        out[k] = int(_fmt(v, scene)) if v == "{cust}" else v
    return out


RESOURCES = sorted({row[0] for row in MATRIX})


@pytest.mark.parametrize("resource", RESOURCES)
def test_role_matrix(client, scene, resource):
    """Every row of one resource for every role, on one scene: the mismatches are reported
    together (row, role, expected, got). The admin may do what a manager may; the PBX's
    telephony-scoped token is refused every operation but call events (403 token_scope) and
    its account gets no web page (the session is not honoured: redirect to the login)."""
    mismatches = []
    rows = [row for row in MATRIX if row[0] == resource]
    for _resource, channel, method, path, body, expected in rows:
        url = _fmt(path, scene)
        want = {role: code for role, code in zip(ROLES, expected, strict=True) if code is not None}
        want["admin"] = expected[ROLES.index("manager")]
        want["telephony"] = 403 if channel == "api" else 302
        for role, code in want.items():
            got = _call(client, scene, role, channel, method, url, _body(body, scene))
            if got != code:
                mismatches.append(f"{channel} {method.upper()} {url} as {role}: {got}, not {code}")
    assert rows and not mismatches, "\n".join(mismatches)


def test_api_not_yours_keeps_the_json_error_shape(client, scene):
    """404 for another unit's case, in the API's shape, with the same message as a missing one."""
    headers = {"Authorization": f"Bearer {scene['tokens']['other_staff']}"}
    number = scene["case"].number
    r = client.get(f"/api/v1/cases/{number}", headers=headers)
    missing = client.get("/api/v1/cases/VV-KHONG-CO", headers=headers)
    assert r.status_code == 404 and missing.status_code == 404
    assert r.json()["code"] == missing.json()["code"] == "not_found"
    assert r.json()["detail"].startswith("Không tìm thấy yêu cầu")
    r = client.get(f"/api/v1/incidents/{scene['incident'].pk}", headers=headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


# --------------------------------------------------------------------------- #20 fixes


def test_unit_staff_cannot_read_a_customer_through_canned_answers(client, scene):
    client.force_login(scene["users"]["unit_staff"])
    r = client.get("/desk/canned", {"customer": scene["stranger"].pk, "type": "meter"})
    assert r.status_code == 403
    assert "Khách khác" not in r.content.decode()


def test_agents_cannot_open_the_supervisor_page(client, scene):
    client.force_login(scene["users"]["agent"])
    assert client.get("/desk/supervisor/").status_code == 403
    assert "/desk/supervisor/" not in client.get("/desk/").content.decode()  # no dead link
    client.force_login(scene["users"]["lead"])
    assert client.get("/desk/supervisor/").status_code == 200
    assert "/desk/supervisor/" in client.get("/desk/").content.decode()


@pytest.mark.parametrize(
    "nxt",
    ["https://evil.example/login", "//evil.example/", "http://evil.example", "javascript:alert(1)"],
)
def test_presence_does_not_redirect_to_another_site(client, scene, nxt):
    client.force_login(scene["users"]["agent"])
    r = client.post("/desk/presence", {"state": "available", "next": nxt})
    assert r.status_code == 302
    assert r["Location"] == "/desk/"


def test_presence_keeps_a_local_next(client, scene):
    client.force_login(scene["users"]["agent"])
    r = client.post("/desk/presence", {"state": "break", "next": "/desk/queue/?view=mine"})
    assert r.status_code == 302 and r["Location"] == "/desk/queue/?view=mine"


def test_unit_staff_cannot_change_reply_to_or_close_cases_through_the_api(client, scene):
    from cskh.cases.models import Case, CaseEvent

    headers = {"Authorization": f"Bearer {scene['tokens']['unit_staff']}"}
    case = scene["case"]
    before = (case.status, CaseEvent.objects.filter(case=case).count())
    url = f"/api/v1/cases/{case.number}"
    for path, body in [
        ("/transitions", {"to": "resolved", "note": "xong"}),
        ("/transitions", {"to": "in_progress"}),
        ("/notes", {"body": "Kính gửi quý khách", "public": True}),
        ("/notes", {"body": "nội bộ"}),
    ]:
        r = client.post(url + path, body, content_type="application/json", headers=headers)
        assert r.status_code == 403, path
        assert r.json()["code"] == "forbidden" and r.json()["detail"]
    assert client.get(url, headers=headers).status_code == 200  # still sees its unit's case
    case = Case.objects.get(pk=case.pk)
    assert (case.status, CaseEvent.objects.filter(case=case).count()) == before


def test_unit_staff_cannot_mark_the_centers_callbacks_done(client, scene):
    from django.utils import timezone

    from cskh.telephony.models import CallbackTask

    now = timezone.now()
    task = CallbackTask.objects.create(
        from_e164="+84901234567", day=now.date(), first_missed_at=now, last_missed_at=now
    )
    client.force_login(scene["users"]["unit_staff"])
    assert client.post(f"/desk/callbacks/{task.pk}/done").status_code == 403
    task.refresh_from_db()
    assert task.done_at is None


def test_unit_staff_cannot_subscribe_another_units_customer(client, scene):
    from cskh.incidents.models import IncidentSubscription

    headers = {"Authorization": f"Bearer {scene['tokens']['unit_staff']}"}
    url = f"/api/v1/incidents/{scene['incident'].pk}/subscribers"
    r = client.post(
        url,
        {"customer_id": scene["stranger"].pk},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 404
    assert not IncidentSubscription.objects.filter(customer_id=scene["stranger"].pk).exists()
    r = client.post(
        url,
        {"customer_id": scene["customer"].pk},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 201


def test_for_customer_hides_another_units_customer_and_incidents(client, scene, other_unit):
    headers = {"Authorization": f"Bearer {scene['tokens']['other_staff']}"}
    r = client.get(f"/api/v1/incidents/for-customer/{scene['customer'].pk}", headers=headers)
    assert r.status_code == 404
    lead = {"Authorization": f"Bearer {scene['tokens']['lead']}"}
    r = client.get(f"/api/v1/incidents/for-customer/{scene['customer'].pk}", headers=lead)
    assert [i["id"] for i in r.json()] == [scene["incident"].pk]


# --------------------------------------------------------------------------- predicates


def test_role_predicates(scene):
    u = scene["users"]
    assert [r for r in ROLES if permissions.is_center_staff(u[r])] == ["agent", "lead", "manager"]
    assert [r for r in ROLES if permissions.can_supervise(u[r])] == ["lead", "manager"]
    assert [r for r in ROLES if permissions.can_work_cases(u[r])] == [
        "agent",
        "lead",
        "manager",
        "integration",
    ]
    assert [r for r in ROLES if permissions.is_unit_staff(u[r])] == ["unit_staff", "other_staff"]
    case = scene["case"]
    assert [r for r in ROLES if not permissions.can_view_case(u[r], case)] == ["other_staff"]
    assert [r for r in ROLES if permissions.can_change_case(u[r], case)] == [
        "agent",
        "lead",
        "manager",
        "integration",
    ]
    cust = scene["customer"]
    assert [r for r in ROLES if not permissions.can_view_customer(u[r], cust)] == ["other_staff"]
    assert permissions.is_agent(u["agent"]) and permissions.is_shift_lead(u["lead"])
    assert permissions.is_manager(u["manager"]) and permissions.is_integration(u["integration"])
