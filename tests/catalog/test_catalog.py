import pytest

from cskh.catalog.models import CaseType, Profile, RoutingRule
from cskh.catalog.services import active_profile, get_case_type, install_profile, route
from cskh.core.errors import DomainError

ELECTRICITY = {
    "outage",
    "planned_outage",
    "billing",
    "payment",
    "meter",
    "new_connection",
    "contract_change",
    "hazard",
    "power_quality",
    "staff_complaint",
    "general",
    "cx_followup",
}
TELECOM = {
    "internet_down",
    "slow_speed",
    "tv_service",
    "billing",
    "new_service",
    "relocation",
    "cancellation",
    "equipment",
    "staff_complaint",
    "general",
    "cx_followup",
}


@pytest.mark.django_db
def test_profiles_have_the_contract_codes(geo):
    install_profile("telecom", activate=False)
    install_profile("electricity")
    codes = lambda p: set(CaseType.objects.filter(profile__code=p).values_list("code", flat=True))  # noqa: E731
    assert ELECTRICITY <= codes("electricity")
    assert TELECOM <= codes("telecom")
    assert active_profile().code == "electricity"
    assert all(ct.sla_policy_id for ct in CaseType.objects.all())


@pytest.mark.django_db
def test_install_is_idempotent_and_switches_active(geo):
    install_profile("electricity")
    install_profile("electricity")
    assert CaseType.objects.filter(profile__code="electricity").count() == len(ELECTRICITY)
    install_profile("telecom")
    assert list(Profile.objects.filter(is_active=True).values_list("code", flat=True)) == [
        "telecom"
    ]
    assert get_case_type("internet_down").name == "Mất kết nối Internet"
    with pytest.raises(DomainError):
        get_case_type("outage")  # not a telecom code
    with pytest.raises(DomainError):
        install_profile("water")


@pytest.mark.django_db
def test_reinstall_adds_what_is_missing_and_keeps_what_an_admin_edited(geo):
    install_profile("electricity")
    outage = CaseType.objects.get(profile__code="electricity", code="outage")
    outage.name = "Mất điện (đã sửa)"
    outage.save()
    CaseType.objects.filter(profile__code="electricity", code="meter").delete()
    install_profile("electricity")
    rows = CaseType.objects.filter(profile__code="electricity")
    assert rows.count() == len(ELECTRICITY)
    assert rows.get(code="outage").name == "Mất điện (đã sửa)"
    meter = rows.get(code="meter")  # put back, with the folded name search matches on
    assert meter.name_folded and meter.name_folded == meter.name_folded.lower()
    assert "đ" not in meter.name_folded and meter.sla_policy_id
    assert get_case_type("meter").pk == meter.pk


@pytest.mark.django_db
def test_routing_specific_rules_win(world, other_unit, ben_thanh):
    meter = get_case_type("meter")
    assert route(case_type=meter, ward_id=ben_thanh.code) == world["unit"]
    RoutingRule.objects.create(case_type=meter, ward=None, unit=other_unit)
    assert route(case_type=meter, ward_id=ben_thanh.code) == other_unit
    RoutingRule.objects.create(case_type=meter, ward=ben_thanh, unit=world["center"])
    assert route(case_type=meter, ward_id=ben_thanh.code) == world["center"]
    # center-handled types go to the default unit (the care center)
    assert route(case_type=get_case_type("payment"), ward_id=ben_thanh.code) == world["center"]


@pytest.mark.django_db
def test_routing_preview_api(client, world, ben_thanh):
    client.force_login(world["agent"])
    r = client.get("/api/v1/routing/preview", {"type": "outage", "ward_code": ben_thanh.code})
    assert r.status_code == 200 and r.json()["unit"] == "PC-SG"
    r = client.get("/api/v1/routing/preview", {"type": "nope"})
    assert r.status_code == 400
    r = client.get("/api/v1/case-types")
    assert {t["code"] for t in r.json()} >= ELECTRICITY


@pytest.mark.django_db
def test_unit_tree_visibility(world, geo):
    from cskh.org.selectors import visible_unit_ids
    from cskh.org.services import create_unit, create_user

    child = create_unit(code="PC-SG-1", name="Đội 1", kind="team", parent=world["unit"])
    staff = create_user(username="u1", role="unit_staff", unit=world["unit"])
    assert visible_unit_ids(staff) == {world["unit"].id, child.id}
    assert visible_unit_ids(world["agent"]) is None
    loner = create_user(username="u2", role="unit_staff")
    assert visible_unit_ids(loner) == set()
    with pytest.raises(DomainError):
        create_user(username="u1", role="agent")
    with pytest.raises(DomainError):
        create_user(username="u3", role="wizard")
