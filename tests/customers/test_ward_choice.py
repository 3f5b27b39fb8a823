"""Addresses resolve through the 2025 conversion table, and routing follows (#21)."""

import json

import pytest

from cskh.cases import services as case_services
from cskh.catalog.services import get_case_type
from cskh.customers import services
from cskh.customers.models import Customer
from cskh.geo.address import WardChoiceNeeded

HOA_HUNG = 27163  # old Phường 13, Quận 10
SON_KY_SPLIT = {27013, 27019, 27439}  # old Phường Sơn Kỳ, Quận Tân Phú


@pytest.fixture
def hoa_hung_unit(db, geo):
    from cskh.org.services import create_unit

    return create_unit(code="PC-Q10", name="Điện lực Hòa Hưng", kind="field", ward_codes=[HOA_HUNG])


def test_numbered_old_ward_routes_to_its_district_unit(world, hoa_hung_unit):
    c = services.create_customer(
        full_name="Võ Thị Lan", phones=[], address="200 Tô Hiến Thành, P.13, Q.10, TP.HCM"
    )
    assert c.ward_id == HOA_HUNG
    case = case_services.open_case(
        customer=c, case_type=get_case_type("outage"), description="Mất điện cả hẻm"
    )
    assert case.unit == hoa_hung_unit


def test_split_ward_asks_instead_of_guessing(profile):
    address = "12 Lũy Bán Bích, Phường Sơn Kỳ, Quận Tân Phú, TP.HCM"
    with pytest.raises(WardChoiceNeeded) as exc:
        services.create_customer(full_name="Trần Văn An", phones=[], address=address)
    assert exc.value.status == 409
    assert set(exc.value.resolution.candidate_codes) == SON_KY_SPLIT
    assert "Sơn Kỳ" in str(exc.value.message)
    assert not Customer.objects.exists()
    # the agent's pick is stored with the address as written
    c = services.create_customer(
        full_name="Trần Văn An", phones=[], address=address, ward_code=27019
    )
    assert c.ward_id == 27019 and c.address == address


def test_api_answers_409_with_candidates(world, api_as):
    client = api_as(world["agent"])
    body = {"full_name": "Trần Văn An", "address": "Phường Sơn Kỳ, Quận Tân Phú, TP.HCM"}
    r = client.post("/api/v1/customers", json.dumps(body), content_type="application/json")
    assert r.status_code == 409, r.content
    data = r.json()
    assert data["code"] == "ward_choice" and data["reason"] == "split"
    assert {c["ward_code"] for c in data["candidates"]} == SON_KY_SPLIT
    assert {c["old_district"] for c in data["candidates"]} == {"Quận Tân Phú"}
    assert not Customer.objects.filter(full_name="Trần Văn An").exists()
    body["ward_code"] = data["candidates"][0]["ward_code"]
    r = client.post("/api/v1/customers", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["ward_code"] == body["ward_code"]
    body = {"full_name": "Lê Văn Bình", "address": "Phường 13, Quận 10, TP.HCM"}
    r = client.post("/api/v1/customers", json.dumps(body), content_type="application/json")
    assert r.status_code == 201 and r.json()["ward_code"] == HOA_HUNG
