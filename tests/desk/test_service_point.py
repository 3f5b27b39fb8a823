"""New cases carry the caller's service point (#21): taken automatically when the customer has
exactly one, chosen on the desk form (or named in the API) when there are several."""

import pytest

pytestmark = pytest.mark.django_db


def add_sp(customer, code, **kw):
    from cskh.customers.services import add_service_point

    return add_service_point(customer=customer, code=code, kind="meter", address="12 Lê Lợi", **kw)


def test_one_service_point_is_taken_automatically(world):
    from cskh.desk.services import log_case_from_call

    sp = add_sp(world["customer"], "PE0100000001", feeder_code="471-BT", transformer_code="T12")
    case = log_case_from_call(
        actor=world["agent"], customer=world["customer"], type_code="outage", description="Mất điện"
    )
    assert case.service_point_id == sp.pk


def test_several_service_points_the_form_offers_a_picker(world, client):
    from cskh.cases.models import Case

    add_sp(world["customer"], "PE0100000001")
    second = add_sp(world["customer"], "PE0100000002")
    client.force_login(world["agent"])
    html = client.get(f"/desk/?customer={world['customer'].pk}").content.decode()
    assert 'id="service-point"' in html and "PE0100000002" in html
    r = client.post(
        "/desk/log",
        {
            "customer": world["customer"].pk,
            "type": "outage",
            "description": "Mất điện ở nhà thứ hai",
            "priority": 3,
            "service_point": "PE0100000002",
        },
    )
    assert r.status_code == 200 and b"data-logged" in r.content
    assert Case.objects.get().service_point_id == second.pk
    # none chosen: the case is logged without one (never a guess between several)
    client.post(
        "/desk/log",
        {"customer": world["customer"].pk, "type": "outage", "description": "x", "priority": 3},
    )
    assert Case.objects.order_by("-id").first().service_point_id is None


def test_a_foreign_service_point_is_refused_with_a_message(world, client):
    from cskh.customers.services import create_customer

    other = create_customer(full_name="Trần Thị Cúc", phones=["0912345678"])
    add_sp(other, "PE0100000009")
    client.force_login(world["agent"])
    r = client.post(
        "/desk/log",
        {
            "customer": world["customer"].pk,
            "type": "outage",
            "description": "Mất điện",
            "priority": 3,
            "service_point": "PE0100000009",
        },
    )
    assert r.status_code == 200
    assert "Điểm dịch vụ không thuộc khách hàng này." in r.content.decode()


def test_api_takes_the_only_service_point(world, api_as):
    from cskh.org.services import create_user

    sp = add_sp(world["customer"], "PE0100000001")
    integ = create_user(username="crm", role="integration")
    r = api_as(integ).post(
        "/api/v1/cases",
        content_type="application/json",
        data={"customer_id": world["customer"].pk, "type": "outage", "description": "Mất điện"},
    )
    assert r.status_code == 201, r.content
    from cskh.cases.models import Case

    assert Case.objects.get().service_point_id == sp.pk
