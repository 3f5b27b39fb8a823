from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cskh.cases import services
from cskh.catalog.services import get_case_type
from cskh.core.errors import DomainError
from cskh.core.models import AuditLog

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_outage_routes_to_ward_unit_with_two_hour_restoration(world):
    at = datetime(2026, 11, 23, 21, 0, tzinfo=VN)  # Monday night: 24/7 calendar
    case = services.open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Mất điện cả xóm",
        at=at,
    )
    assert case.unit == world["unit"]
    assert case.due_at == datetime(2026, 11, 23, 23, 0, tzinfo=VN)
    assert case.priority == 2


def test_new_connection_counts_working_days_and_holidays(world):
    # Friday 2026-11-20 16:00: Sat is a working day, Sun closed, Tue 24/11 is a public holiday
    at = datetime(2026, 11, 20, 16, 0, tzinfo=VN)
    case = services.open_case(
        customer=world["customer"],
        case_type=get_case_type("new_connection"),
        description="Lắp mới",
        at=at,
    )
    # 3 working days = 24 working hours: Fri 1h, Sat 8h, Mon 8h, (Tue holiday), Wed 7h → 16:00
    assert case.due_at.astimezone(VN) == datetime(2026, 11, 25, 16, 0, tzinfo=VN)


def test_rural_ward_gets_five_working_days(world):
    from cskh.customers.services import create_customer
    from cskh.geo.models import Ward

    rural = Ward.objects.filter(province_id=79, is_rural=True).first()
    c = create_customer(full_name="Lê Thị Bình", phones=["0912345678"], ward_code=rural.code)
    at = datetime(2026, 12, 7, 8, 0, tzinfo=VN)  # Monday
    case = services.open_case(
        customer=c, case_type=get_case_type("new_connection"), description="Lắp mới", at=at
    )
    # 40 working hours: Mon 7.5h (from 08:00) + Tue–Fri 32h = 39.5h, then Sat 07:30 + 30 min
    assert case.due_at.astimezone(VN) == datetime(2026, 12, 12, 8, 0, tzinfo=VN)


def test_unknown_ward_falls_back_to_default_unit(world):
    from cskh.customers.services import create_customer

    c = create_customer(full_name="Phạm Văn Cường", phones=["0987654321"])
    case = services.open_case(customer=c, case_type=get_case_type("outage"), description="x")
    assert case.unit == world["center"]


def test_bad_inputs_change_nothing(world):
    from cskh.cases.models import Case

    with pytest.raises(DomainError):
        services.open_case(
            customer=world["customer"], case_type=get_case_type("outage"), description="   "
        )
    with pytest.raises(DomainError):
        services.open_case(
            customer=world["customer"], case_type=get_case_type("outage"), description="x" * 20_001
        )
    with pytest.raises(DomainError):
        services.open_case(
            customer=world["customer"],
            case_type=get_case_type("outage"),
            description="x",
            channel="pigeon",
        )
    with pytest.raises(DomainError):
        services.open_case(
            customer=world["customer"],
            case_type=get_case_type("outage"),
            description="x",
            priority=9,
        )
    assert Case.objects.count() == 0


def test_open_case_is_audited(world):
    case = services.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="x",
        actor=world["agent"],
    )
    log = AuditLog.objects.get(action="case.open", object_id=str(case.pk))
    assert log.actor == world["agent"]
    assert log.changes["number"] == case.number


def test_assign_and_link(world, lead):
    a = services.open_case(
        customer=world["customer"], case_type=get_case_type("billing"), description="a"
    )
    b = services.open_case(
        customer=world["customer"], case_type=get_case_type("billing"), description="b"
    )
    a = services.assign(case=a, agent=world["agent"], actor=lead, reason="Theo kỹ năng")
    assert a.status == "assigned" and a.assigned_agent == world["agent"]
    services.link_cases(case=a, other=b, kind="duplicate", actor=lead)
    services.link_cases(case=a, other=b, kind="duplicate", actor=lead)  # idempotent
    assert a.links_out.count() == 1
    assert b.events.filter(kind="link").count() == 1
    with pytest.raises(DomainError):
        services.link_cases(case=a, other=a)
