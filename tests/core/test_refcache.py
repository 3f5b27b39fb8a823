"""The reference cache: fast reads, invalidation per family, no stale configuration after a
change (at once here, within refcache.CHECK_SECONDS in other processes), immutable values."""

from datetime import date

import pytest
from django.core.cache import cache

from cskh.core import refcache


@pytest.fixture
def billing(profile):
    from cskh.catalog.services import get_case_type

    return get_case_type("billing")


def _changed_by_another_process(family: str, change) -> None:
    """What a write in another process looks like from here: the rows change without a signal
    in this process, and the family's shared version moves (that process's invalidate())."""
    change()
    key = refcache.version_key(family)
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout=None)
        cache.incr(key)


def _seen_only_after_the_bound(monkeypatch, read, old, new) -> None:
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 3600)
    assert read() == old  # within the bound this process may still serve its copy
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 0)  # the bound has passed
    assert read() == new


def test_served_from_the_cache_and_a_saved_change_is_seen_at_once(
    billing, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 3600)  # no periodic check in the counts
    from cskh.catalog.services import get_case_type

    with django_assert_num_queries(0):
        assert get_case_type("billing") == billing
    billing.name = "Hóa đơn (đã sửa)"
    billing.save()
    assert get_case_type("billing").name == "Hóa đơn (đã sửa)"


def test_other_processes_changes_arrive_within_the_bound(billing, monkeypatch):
    from cskh.catalog.models import CaseType
    from cskh.catalog.services import get_case_type

    _changed_by_another_process(
        "catalog.case_type",
        lambda: CaseType.objects.filter(pk=billing.pk).update(name="Đổi ở máy khác"),
    )
    _seen_only_after_the_bound(
        monkeypatch, lambda: get_case_type("billing").name, billing.name, "Đổi ở máy khác"
    )


def test_a_login_invalidates_nothing(
    client, agent, billing, field_unit, ben_thanh, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 3600)  # a slow login must not count a check
    from cskh.catalog.services import get_case_type
    from cskh.org.selectors import unit_for_ward
    from cskh.org.services import authenticate_token, create_api_token

    raw = create_api_token(user=agent)
    authenticate_token(raw), unit_for_ward(ben_thanh.code)
    versions = cache.get_many([refcache.version_key(f) for f in ("org.token", "org.unit_for_ward")])

    # the sign-in form (django-axes needs the request), which saves last_login
    response = client.post("/accounts/login/", {"username": "tvv01", "password": "Matkhau!2026"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.last_login is not None

    after = cache.get_many([refcache.version_key(f) for f in ("org.token", "org.unit_for_ward")])
    assert after == versions
    with django_assert_num_queries(0):  # nothing was dropped in this process either
        assert authenticate_token(raw) == agent
        assert unit_for_ward(ben_thanh.code) == field_unit
        assert get_case_type("billing") == billing


def test_saving_a_unit_invalidates_unit_keys_only(
    billing, field_unit, ben_thanh, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 3600)  # only this process's own drops
    from cskh.catalog.services import get_case_type
    from cskh.org.models import Unit
    from cskh.org.selectors import unit_for_ward

    assert unit_for_ward(ben_thanh.code).name == field_unit.name
    field_unit.name = "Điện lực Bến Thành (mới)"
    field_unit.save()
    assert unit_for_ward(ben_thanh.code).name == "Điện lực Bến Thành (mới)"  # at once, here
    with django_assert_num_queries(0):
        get_case_type("billing")  # the catalog was not dropped

    # another process renames it: seen here within the bound, the catalog still not dropped
    _changed_by_another_process(
        "org.unit_for_ward",
        lambda: Unit.objects.filter(pk=field_unit.pk).update(name="Đổi ở máy khác"),
    )
    _seen_only_after_the_bound(
        monkeypatch,
        lambda: unit_for_ward(ben_thanh.code).name,
        "Điện lực Bến Thành (mới)",
        "Đổi ở máy khác",
    )
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 3600)
    with django_assert_num_queries(0):
        get_case_type("billing")


def test_cached_values_cannot_be_mutated(billing, ben_thanh):
    from cskh.catalog.services import get_case_type
    from cskh.geo.selectors import wards_by_code
    from cskh.incidents.rules import rules

    value = refcache.get("test.frozen", lambda: {"a": [1, 2], "b": {3}, "c": {"d": 4}})
    with pytest.raises(TypeError):
        value["a"] = []
    with pytest.raises(AttributeError):
        value["a"].append(3)  # lists are stored as tuples
    with pytest.raises(TypeError):
        value["c"]["d"] = 5
    assert value["b"] == frozenset({3})

    mine = get_case_type("billing")
    mine.name = "Chỉ của tôi"  # a caller's copy, not the cached one
    assert get_case_type("billing").name == billing.name

    with pytest.raises(TypeError):
        wards_by_code()[0] = ben_thanh
    with pytest.raises(TypeError):
        rules()["ward"] = None


def test_unknown_keys_are_not_cached(db, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 3600)  # no periodic check in the counts
    from cskh.org.services import authenticate_token

    assert authenticate_token("cskh_not-a-real-token") is None
    with django_assert_num_queries(1):  # looked up again: a miss is never stored
        assert authenticate_token("cskh_not-a-real-token") is None


def test_revoked_token_and_deactivated_user_are_refused_at_once(db):
    from cskh.org.models import ApiToken
    from cskh.org.services import (
        authenticate_token,
        create_api_token,
        create_user,
        revoke_api_token,
    )

    user = create_user(username="pbx1", password="Matkhau!2026", role="integration")
    raw = create_api_token(user=user)
    first, second = authenticate_token(raw), authenticate_token(raw)
    assert first == user and first is not second  # one instance per request
    first.first_name = "Đổi"  # what one request does to its instance stays there
    assert second.first_name != "Đổi" and authenticate_token(raw).first_name != "Đổi"
    revoke_api_token(token=ApiToken.objects.get(user=user))
    assert authenticate_token(raw) is None

    raw2 = create_api_token(user=user)
    assert authenticate_token(raw2) == user
    user.is_active = False
    user.save()
    assert authenticate_token(raw2) is None


def test_routing_follows_a_new_rule_immediately(profile, center, field_unit, ben_thanh):
    from cskh.catalog.models import RoutingRule
    from cskh.catalog.services import get_case_type, route

    outage = get_case_type("outage")
    assert route(case_type=outage, ward_id=ben_thanh.code) == field_unit
    RoutingRule.objects.create(case_type=outage, unit=center, order=1)
    assert route(case_type=outage, ward_id=ben_thanh.code) == center


def test_an_edited_sla_calendar_is_seen_everywhere(billing, monkeypatch):
    from cskh.catalog.models import BusinessCalendar, CalendarDayOff
    from cskh.sla.calendar import calendar_spec

    calendar = BusinessCalendar.objects.create(
        code="test-office", name="Giờ thử", hours={"0": [["08:00", "17:00"]]}
    )
    assert calendar_spec(calendar).days_off == frozenset()
    CalendarDayOff.objects.create(calendar=calendar, date=date(2031, 1, 6))
    assert calendar_spec(calendar).days_off == {date(2031, 1, 6)}  # at once, here

    _changed_by_another_process(
        "sla.calendar",
        lambda: CalendarDayOff.objects.filter(calendar=calendar).update(date=date(2031, 1, 7)),
    )
    _seen_only_after_the_bound(
        monkeypatch,
        lambda: calendar_spec(calendar).days_off,
        {date(2031, 1, 6)},
        {date(2031, 1, 7)},
    )


def test_an_edited_notify_template_is_seen_everywhere(db, monkeypatch):
    from cskh.notify.models import Template
    from cskh.notify.services import render

    tpl = Template.objects.create(code="t_test", channel="sms", body="Một {{ x }}")
    assert render("t_test", "sms", {"x": 1})[1] == "Một 1"
    tpl.body = "Hai {{ x }}"
    tpl.save()
    assert render("t_test", "sms", {"x": 1})[1] == "Hai 1"  # at once, here

    _changed_by_another_process(
        "notify.templates", lambda: Template.objects.filter(pk=tpl.pk).update(body="Ba {{ x }}")
    )
    _seen_only_after_the_bound(
        monkeypatch, lambda: render("t_test", "sms", {"x": 1})[1], "Hai 1", "Ba 1"
    )


def test_an_edited_incident_rule_is_seen_everywhere(db, monkeypatch):
    from cskh.incidents.models import IncidentRule
    from cskh.incidents.rules import rules

    default = rules()["ward"].min_cases
    rule = IncidentRule.objects.create(level="ward", min_cases=default + 1)
    assert rules()["ward"].min_cases == default + 1  # at once, here (the admin's process)

    _changed_by_another_process(
        "incidents.rules",
        lambda: IncidentRule.objects.filter(pk=rule.pk).update(min_cases=default + 2),
    )
    _seen_only_after_the_bound(
        monkeypatch, lambda: rules()["ward"].min_cases, default + 1, default + 2
    )


def test_every_invalidation_is_announced_with_its_families(db, ben_thanh):
    """refcache.invalidated names the families, whichever writer caused it: a model save
    (refcache.watch) or a bulk write that invalidates by hand."""
    from cskh.geo.models import Ward
    from cskh.geo.services import load_admin_units

    heard: list[frozenset] = []

    def listen(families, **kwargs):
        heard.append(families)

    refcache.invalidated.connect(listen, weak=False, dispatch_uid="test-invalidated")
    try:
        ward = Ward.objects.get(pk=ben_thanh.pk)
        ward.name = ward.name + " "
        ward.save()
        load_admin_units([79])
    finally:
        refcache.invalidated.disconnect(dispatch_uid="test-invalidated")
    assert heard[0] == {"geo.wards", "geo.address"}
    assert {"geo.wards", "geo.address"} <= heard[-1]
    assert len(heard) >= 2
