import copy
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from cskh.catalog.models import BusinessCalendar, CaseType, Profile, RoutingRule, SlaPolicy
from cskh.catalog.profiles import CALENDARS, PROFILES, SLA_POLICIES, ProfileTerms
from cskh.core import refcache
from cskh.core.errors import DomainError
from cskh.org.models import Unit


@transaction.atomic
def install_profile(code: str, *, activate: bool = True) -> Profile:
    """Idempotent: creates the calendars, SLA policies and case types of a built-in profile
    that are missing, and keeps those already there as an administrator may have edited them.

    Set-based: one read and at most one insert per table (a profile is installed by every
    test fixture and the demo), then one cache invalidation for the three tables' families."""
    if code not in PROFILES:
        raise DomainError(_("Ngành không hợp lệ: %(c)s") % {"c": code}, code="bad_profile")
    calendars = _create_missing(
        BusinessCalendar,
        {
            cal_code: BusinessCalendar(
                code=cal_code,
                name=_(spec["name"]),
                always_open=spec["always_open"],
                hours=spec["hours"],
            )
            for cal_code, spec in CALENDARS.items()
        },
    )
    policies = _create_missing(
        SlaPolicy,
        {
            pol_code: SlaPolicy(
                code=pol_code,
                name=_(name),
                calendar=calendars[cal],
                first_response_minutes=first,
                resolution_minutes=res,
                rural_resolution_minutes=rural,
                description=_(desc) if desc else "",
            )
            for pol_code, (name, cal, first, res, rural, desc) in SLA_POLICIES.items()
        },
    )
    profile_spec = PROFILES[code]
    profile, _created = Profile.objects.get_or_create(
        code=code, defaults={"name": _(profile_spec["name"])}
    )
    _create_missing(
        CaseType,
        {
            ct_code: CaseType(
                profile=profile,
                code=ct_code,
                name=_(name),
                description=_(desc),
                default_priority=prio,
                sla_policy=policies[pol],
                handler_unit_kind=handler,
                groups_incidents=groups,
                is_complaint=complaint,
                sort_order=order * 10,
            ).fold_name()  # bulk_create() skips save()
            for order, (ct_code, name, desc, prio, pol, handler, groups, complaint) in enumerate(
                profile_spec["case_types"]
            )
        },
        profile=profile,
    )
    if activate:
        Profile.objects.exclude(pk=profile.pk).update(is_active=False)
        Profile.objects.filter(pk=profile.pk).update(is_active=True)
        profile.is_active = True
    # bulk_create() and update() send no signals: the families built from these tables
    refcache.invalidate("catalog.active_profile", "catalog.case_type", "sla.calendar")
    return profile


def _create_missing[M: (BusinessCalendar, SlaPolicy, CaseType)](
    model: type[M], wanted: dict[str, M], **scope: object
) -> dict[str, M]:
    """The rows of `model` with these codes (within scope), inserting the missing ones from
    `wanted`; ignore_conflicts makes two installs racing each other harmless."""
    rows = model.objects.filter(code__in=wanted, **scope)
    found = {row.code: row for row in rows}
    missing = [row for c, row in wanted.items() if c not in found]
    if missing:
        model.objects.bulk_create(missing, ignore_conflicts=True)
        found = {row.code: row for row in rows.all()}  # .all(): read again, with their ids
    return found


def active_profile() -> Profile:
    profile = refcache.get(
        "catalog.active_profile", lambda: Profile.objects.filter(is_active=True).first()
    )
    if profile is None:
        raise DomainError(_("Chưa cấu hình ngành (electricity/telecom)."), code="no_profile")
    return profile


DEFAULT_PROFILE = "electricity"

# Keys of ProfileTerms that are not words (not translated).
_UNTRANSLATED = frozenset({"public_path"})


def terms(profile_code: str | None = None) -> ProfileTerms:
    """The active profile's wording, in the active language (see profiles.ProfileTerms).

    Before a profile is installed (a fresh database) the electricity words are used."""
    if profile_code is None:
        current = refcache.get(
            "catalog.active_profile", lambda: Profile.objects.filter(is_active=True).first()
        )
        profile_code = current.code if current is not None else DEFAULT_PROFILE
    spec = PROFILES.get(profile_code, PROFILES[DEFAULT_PROFILE])["terms"]
    out = {k: (str(v) if k in _UNTRANSLATED else _(str(v))) for k, v in spec.items()}
    return cast(ProfileTerms, out)


def public_paths() -> tuple[str, ...]:
    """Every profile's public schedule path (the URL converter accepts these)."""
    return tuple(spec["terms"]["public_path"] for spec in PROFILES.values())


def get_case_type(code: str, *, profile: Profile | None = None) -> CaseType:
    profile = profile or active_profile()
    ct = refcache.get(
        ("catalog.case_type", profile.pk, code),
        lambda: (
            CaseType.objects.select_related("sla_policy__calendar", "profile")
            .filter(profile=profile, code=code, is_active=True)
            .first()
        ),
    )
    if ct is None:
        raise DomainError(
            _("Loại yêu cầu không tồn tại: %(c)s") % {"c": code}, code="unknown_case_type"
        )
    return ct


def route(*, case_type: CaseType, ward_id: int | None) -> Unit | None:
    """The unit responsible for a case: explicit rules first, then the ward's field unit."""
    from cskh.org.selectors import default_unit, unit_for_ward

    rules = refcache.get("catalog.routing_rules", _load_routing_rules)
    for matches in (
        lambda r: ward_id and r.case_type_id == case_type.pk and r.ward_id == ward_id,
        lambda r: r.case_type_id == case_type.pk and r.ward_id is None,
        lambda r: ward_id and r.case_type_id is None and r.ward_id == ward_id,
    ):
        for rule in rules:
            if matches(rule):
                return copy.copy(rule.unit)  # the cached rules' units are shared
    if case_type.handler_unit_kind == "field":
        return unit_for_ward(ward_id)
    return default_unit()


def _load_routing_rules() -> tuple[RoutingRule, ...]:
    """Active rules, lowest `order` first (RoutingRule.Meta.ordering)."""
    return tuple(RoutingRule.objects.filter(is_active=True).select_related("unit"))
