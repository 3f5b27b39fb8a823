"""The demo organisation: care center, departments, field units covering HCMC wards, routing
rules and users with known passwords. Idempotent (get-or-create by code / username)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from cskh.catalog.models import CaseType, RoutingRule
from cskh.core import refcache
from cskh.demo import data
from cskh.geo.models import Ward
from cskh.org.models import ServiceArea, Unit, User
from cskh.org.services import create_unit, create_user

HCMC = 79


@dataclass
class OrgInfo:
    center: Unit
    units: dict[str, Unit]  # field units by code
    abbr: dict[int, str]  # unit id → network abbreviation
    unit_no: dict[int, int]  # unit id → 1-based number (used in customer codes)
    ward_unit: dict[int, int]  # ward code → field unit id
    agents: list[User] = field(default_factory=list)
    staff: dict[int, User] = field(default_factory=dict)  # unit id → field staff user
    integration: User | None = None
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, unit)


def legacy_district(ward: Ward) -> str:
    first = (ward.legacy_names or "").split(";")[0]
    return first.rsplit(",", 1)[-1].strip() if "," in first else ""


def ward_assignment(profile: str) -> dict[int, str]:
    """Ward code → field unit code for every current HCMC ward."""
    col = 0 if profile == "electricity" else 1
    out = {}
    for ward in Ward.objects.filter(province_id=HCMC).order_by("code"):
        pair = data.WARD_UNITS.get(ward.name) or data.DISTRICT_UNITS.get(legacy_district(ward))
        if pair is None:  # unknown legacy district: nearest city-centre unit
            pair = data.DISTRICT_UNITS["Quận 1"]
        out[ward.code] = pair[col]
    return out


def _unit(code, name, kind, parent=None, is_default=False, phone="") -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = create_unit(
            code=code, name=name, kind=kind, parent=parent, is_default=is_default, phone=phone
        )
    return unit


def build_org(profile: str, *, seed: int, customers: int) -> OrgInfo:
    rng = random.Random(f"{seed}:org")
    electricity = profile == "electricity"
    center = Unit.objects.filter(is_default=True, is_active=True).first()
    if center is None:
        center = _unit(
            "CSKH",
            "Trung tâm Chăm sóc Khách hàng"
            + (" Điện lực TP.HCM" if electricity else " Viễn thông TP.HCM"),
            Unit.Kind.CENTER,
            is_default=True,
            phone="1900 545454" if electricity else "1800 1091",
        )
    departments = {}
    if electricity:
        departments["KN"] = _unit(
            "CSKH-KN", "Tổ Giải quyết khiếu nại", Unit.Kind.DEPARTMENT, parent=center
        )
    else:
        for code, name in [
            ("CS", "Phòng Chăm sóc khách hàng (CS)"),
            ("CUS", "Phòng Khách hàng và Giữ chân thuê bao (CUS)"),
            ("IBB", "Phòng Hỗ trợ kỹ thuật Internet băng rộng (IBB)"),
        ]:
            departments[code] = _unit(code, name, Unit.Kind.DEPARTMENT, parent=center)

    specs = data.ELECTRICITY_UNITS if electricity else data.TELECOM_UNITS
    assignment = ward_assignment(profile)
    units, abbr, unit_no = {}, {}, {}
    for n, (code, name, short, phone) in enumerate(specs, start=1):
        wards = [w for w, c in assignment.items() if c == code]
        if not wards:
            continue
        unit = _unit(code, name, Unit.Kind.FIELD, phone=phone)
        have = set(ServiceArea.objects.filter(unit=unit).values_list("ward_id", flat=True))
        ServiceArea.objects.bulk_create(
            [ServiceArea(unit=unit, ward_id=w) for w in wards if w not in have]
        )
        units[code] = unit
        abbr[unit.pk] = short
        unit_no[unit.pk] = n
    ward_unit = {w: units[c].pk for w, c in assignment.items() if c in units}

    # Routing: complaints and account matters go to center departments; the rest follows the
    # case type's handler kind (field → the ward's unit, center → the care center).
    rules = (
        {"staff_complaint": "KN"}
        if electricity
        else {"billing": "CS", "general": "CS", "cancellation": "CUS", "staff_complaint": "CUS"}
    )
    for ct_code, dept in rules.items():
        ct = CaseType.objects.filter(profile__code=profile, code=ct_code).first()
        if ct and not RoutingRule.objects.filter(case_type=ct, ward__isnull=True).exists():
            RoutingRule.objects.create(case_type=ct, unit=departments[dept], order=10)

    info = OrgInfo(center=center, units=units, abbr=abbr, unit_no=unit_no, ward_unit=ward_unit)
    _users(info, profile, rng, customers, departments)
    refcache.invalidate()  # bulk writes above send no signals; a running server must reload
    return info


def _person(rng: random.Random) -> tuple[str, str]:
    family = rng.choices([f for f, _w in data.FAMILY_NAMES], [w for _f, w in data.FAMILY_NAMES])[0]
    if rng.random() < 0.6:
        middle = rng.choices(*zip(*data.MIDDLE_FEMALE, strict=True))[0]
        given = rng.choice(data.GIVEN_FEMALE)
    else:
        middle = rng.choices(*zip(*data.MIDDLE_MALE, strict=True))[0]
        given = rng.choice(data.GIVEN_MALE)
    return given, f"{family} {middle}"


def _users(info: OrgInfo, profile: str, rng, customers: int, departments) -> None:
    password_hash = make_password(data.DEMO_PASSWORD)
    created: list[int] = []
    center = info.center
    agent_unit = departments.get("CS", center)

    def ensure(username, role, unit, **extra) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(username=username, role=role, unit=unit, **extra)
            created.append(user.pk)
        info.logins.append((username, role, unit.name if unit else ""))
        return user

    ensure("admin", User.Role.ADMIN, center, first_name="Hệ thống", last_name="Quản trị")
    n_agents = max(5, min(40, customers // 25_000))
    center_types = list(CaseType.objects.filter(profile__code=profile, handler_unit_kind="center"))
    for i in range(1, n_agents + 1):
        given, last = _person(rng)
        user = ensure(
            f"tvv{i:02d}",
            User.Role.AGENT,
            agent_unit,
            first_name=given,
            last_name=last,
            extension=str(1000 + i),
            languages=["vi", "en"] if i % 5 == 0 else ["vi"],
        )
        if user.pk in created:
            user.case_types.set(center_types)
        info.agents.append(user)
    given, last = _person(rng)
    ensure("truongca", User.Role.SHIFT_LEAD, center, first_name=given, last_name=last)
    given, last = _person(rng)
    ensure("quanly", User.Role.MANAGER, center, first_name=given, last_name=last)
    prefix = "dl_" if profile == "electricity" else "cn_"
    for unit in info.units.values():
        given, last = _person(rng)
        info.staff[unit.pk] = ensure(
            prefix + info.abbr[unit.pk].lower(),
            User.Role.UNIT_STAFF,
            unit,
            first_name=given,
            last_name=last,
        )
    info.integration = ensure(
        "pbx", User.Role.INTEGRATION, None, first_name="PBX", last_name="Tổng đài"
    )
    # One PBKDF2 hash for every demo user: hashing per user would cost ~0.3 s each.
    User.objects.filter(pk__in=created).update(password=password_hash)
