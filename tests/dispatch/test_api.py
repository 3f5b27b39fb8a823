"""The dispatch API over real HTTP against a live server (isolation, errors, uploads)."""

import pytest

from cskh.dispatch.models import Attachment, WorkOrder
from tests.dispatch.conftest import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _open(world, customer, type_code="outage"):
    from cskh.cases import services
    from cskh.catalog.services import get_case_type

    return services.open_case(
        customer=customer,
        case_type=get_case_type(type_code),
        description="Mất điện từ 7 giờ sáng",
        actor=world["agent"],
    )


def test_dispatch_and_field_flow_over_http(http, world, unit_staff, other_unit, media):
    agent = http(world["agent"])
    staff = http(unit_staff)
    case = _open(world, world["customer"])

    r = staff.post(f"/api/v1/dispatch/cases/{case.number}/dispatch", json={})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = agent.post(f"/api/v1/dispatch/cases/{case.number}/dispatch", json={"unit": "NOPE"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_unit"
    assert not WorkOrder.objects.exists()
    r = agent.post(
        f"/api/v1/dispatch/cases/{case.number}/dispatch",
        json={"instructions": "Khách hẹn sau 14 giờ"},
    )
    assert r.status_code == 201, r.text
    wo = r.json()
    assert wo["unit"] == "PC-SG" and wo["status"] == "sent" and wo["case_number"] == case.number
    assert wo["contact_phone"] == "+84901234567" and wo["expected_at"]
    r = agent.post(f"/api/v1/dispatch/cases/{case.number}/dispatch", json={})
    assert r.status_code == 409 and "đã có phiếu giao việc" in r.json()["detail"]

    url = f"/api/v1/dispatch/work-orders/{wo['id']}"
    r = staff.post(f"{url}/progress", json={"body": "Đang đi"})
    assert r.status_code == 409 and r.json()["code"] == "not_accepted"
    assert staff.post(f"{url}/accept").json()["status"] == "accepted"
    r = staff.post(f"{url}/progress", json={"on_the_way": True})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    r = staff.post(f"{url}/request-info", json={"question": "Hẻm nào?", "target": "center"})
    assert r.json()["info_requested"] is True
    r = agent.post(f"{url}/provide-info", json={"answer": "Hẻm 12"})
    assert r.json()["info_requested"] is False

    # bad uploads: 4xx with a Vietnamese message, nothing changed
    r = staff.post(
        f"{url}/complete",
        data={"resolution": "Đã xử lý"},
        files=[("photos", ("anh.jpg", b"MZ\x90\x00 not an image", "image/jpeg"))],
    )
    assert r.status_code == 415 and r.json()["code"] == "bad_file_type"
    assert "định dạng" in r.json()["detail"]
    from django.conf import settings

    big = png_bytes() + b"\0" * (settings.CSKH_DISPATCH_MAX_UPLOAD + 1)
    r = staff.post(
        f"{url}/complete",
        data={"resolution": "Đã xử lý"},
        files=[("photos", ("lon.png", big, "image/png"))],
    )
    assert r.status_code == 413 and r.json()["code"] == "file_too_large"
    r = staff.post(f"{url}/complete", data={"resolution": "  "})
    assert r.status_code == 400
    assert staff.get(url).json()["status"] == "in_progress"
    assert not Attachment.objects.exists()

    r = staff.post(
        f"{url}/complete",
        data={"resolution": "Thay cầu chì, đã có điện"},
        files=[("photos", ("a.png", png_bytes(), "image/png"))],
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "done" and done["resolution"] == "Thay cầu chì, đã có điện"
    assert [a["purpose"] for a in done["attachments"]] == ["result"]
    assert agent.get(f"/api/v1/cases/{case.number}").json()["status"] == "resolved"
    events = staff.get(f"{url}/events").json()
    assert [e["kind"] for e in events] == [
        "dispatched",
        "accepted",
        "on_the_way",
        "info_requested",
        "info_provided",
        "done",
    ]
    timeline = agent.get(f"/api/v1/cases/{case.number}/events").json()
    actions = [e["data"].get("action") for e in timeline if e["kind"] == "dispatch"]
    assert actions == [e["kind"] for e in events]


def test_api_isolation_between_units(http, world, unit_staff, other_unit, lead):
    from cskh.customers.services import create_customer
    from cskh.dispatch import services
    from cskh.org.services import create_user

    other_staff = create_user(
        username="dl_gd", password="Matkhau!2026", role="unit_staff", unit=other_unit
    )
    ward = other_unit.wards.first()
    stranger = create_customer(full_name="Trần Thị Bảy", phones=["0911111111"], ward_code=ward.code)
    mine = services.dispatch_case(case=_open(world, world["customer"]), actor=world["agent"])
    theirs = services.dispatch_case(case=_open(world, stranger), actor=world["agent"])

    staff = http(unit_staff)
    items = staff.get("/api/v1/dispatch/work-orders", params={"state": "all"}).json()["items"]
    assert [w["id"] for w in items] == [mine.pk]
    assert (
        staff.get("/api/v1/dispatch/work-orders", params={"unit": "PC-GD", "state": "all"}).json()[
            "items"
        ]
        == []
    )
    base = f"/api/v1/dispatch/work-orders/{theirs.pk}"
    assert staff.get(base).status_code == 404
    assert staff.get(base).json()["detail"] == "Không tìm thấy phiếu giao việc."
    assert staff.get(f"{base}/events").status_code == 404
    for path, body in [
        ("accept", {}),
        ("progress", {"body": "x"}),
        ("request-info", {"question": "x"}),
        ("reject", {"reason": "x"}),
        ("cancel", {"reason": "x"}),
        ("redispatch", {"unit": "PC-SG", "reason": "x"}),
    ]:
        r = staff.post(f"{base}/{path}", json=body)
        assert r.status_code == 404, (path, r.text)
    r = staff.post(f"{base}/complete", data={"resolution": "x"})
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "sent" and theirs.is_active

    other = http(other_staff)
    assert [w["id"] for w in other.get("/api/v1/dispatch/work-orders").json()["items"]] == [
        theirs.pk
    ]
    assert other.get(f"/api/v1/dispatch/work-orders/{mine.pk}").status_code == 404
    assert staff.get("/api/v1/dispatch/backlog").status_code == 403
    rows = {r["unit"]: r for r in http(lead).get("/api/v1/dispatch/backlog").json()}
    assert rows["PC-SG"]["open"] == 1 and rows["PC-GD"]["open"] == 1
    everything = http(lead).get("/api/v1/dispatch/work-orders").json()["items"]
    assert {w["id"] for w in everything} == {mine.pk, theirs.pk}

    # redispatch: reason required (missing → 422, blank → 400), recorded when given
    agent = http(world["agent"])
    url = f"/api/v1/dispatch/work-orders/{mine.pk}/redispatch"
    r = agent.post(url, json={"unit": "PC-GD"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = agent.post(url, json={"unit": "PC-GD", "reason": "   "})
    assert r.status_code == 400 and r.json()["detail"]
    assert WorkOrder.objects.count() == 2
    r = agent.post(url, json={"unit": "PC-GD", "reason": "Sai địa bàn"})
    assert r.status_code == 201 and r.json()["unit"] == "PC-GD"
    assert r.json()["previous_id"] == mine.pk
    old = agent.get(f"/api/v1/dispatch/work-orders/{mine.pk}").json()
    assert old["status"] == "redispatched" and old["reason"] == "Sai địa bàn"
    # the case moved with the work: the first unit no longer sees the new order
    assert staff.get(f"/api/v1/dispatch/work-orders/{r.json()['id']}").status_code == 404
    assert other.get(f"/api/v1/dispatch/work-orders/{r.json()['id']}").status_code == 200
    bad = agent.get("/api/v1/dispatch/work-orders", params={"state": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_filter"
    bad = agent.get("/api/v1/dispatch/work-orders", params={"cursor": "%%%"})
    assert bad.status_code == 400
