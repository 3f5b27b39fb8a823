"""The per-process reference cache: fast reads, and no stale configuration after a change."""

import pytest
from django.core.cache import cache

from cskh.core import refcache


@pytest.fixture
def billing(profile):
    from cskh.catalog.services import get_case_type

    return get_case_type("billing")


def test_a_saved_change_is_seen_at_once(billing):
    from cskh.catalog.services import get_case_type

    assert get_case_type("billing") is get_case_type("billing")  # served from the cache
    billing.name = "Hóa đơn (đã sửa)"
    billing.save()
    assert get_case_type("billing").name == "Hóa đơn (đã sửa)"


def test_other_processes_changes_arrive_through_the_shared_version(billing, monkeypatch):
    from cskh.catalog.models import CaseType
    from cskh.catalog.services import get_case_type

    get_case_type("billing")
    # a change this process sends no signal for (another process, or a bulk update)
    CaseType.objects.filter(pk=billing.pk).update(name="Đổi ở máy khác")
    assert get_case_type("billing").name != "Đổi ở máy khác"  # still the cached row
    try:
        cache.incr(refcache.VERSION_KEY)  # what the other process's invalidate() does
    except ValueError:
        cache.set(refcache.VERSION_KEY, 1, None)
    monkeypatch.setattr(refcache, "CHECK_SECONDS", 0)
    assert get_case_type("billing").name == "Đổi ở máy khác"


def test_unknown_keys_are_not_cached(db):
    from cskh.org.services import authenticate_token

    assert authenticate_token("cskh_not-a-real-token") is None
    assert not [k for k in refcache._data if isinstance(k, tuple) and k[0] == "org.token"]


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
    first._state.fields_cache["unit"] = None
    assert second.first_name != "Đổi" and "unit" not in second._state.fields_cache
    assert authenticate_token(raw).first_name != "Đổi"
    assert not first._state.adding and first._state.db == "default"
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
