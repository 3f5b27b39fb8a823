import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cskh.cases import services as cases
from cskh.cases.models import Case
from cskh.catalog.models import BusinessCalendar, CalendarDayOff
from cskh.catalog.services import get_case_type
from cskh.sla import calendar as cal
from cskh.sla import services as sla
from cskh.sla.models import SlaClock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = {str(d): [["07:30", "11:30"], ["13:00", "17:00"]] for d in range(6)}


def open_case(world, type_code, at, customer=None):
    return cases.open_case(
        customer=customer or world["customer"],
        case_type=get_case_type(type_code),
        description="Mô tả",
        at=at,
    )


def test_outage_restoration_two_hours_around_the_clock(world):
    at = datetime(2026, 11, 28, 23, 30, tzinfo=VN)  # Saturday night
    case = open_case(world, "outage", at)
    assert case.due_at == datetime(2026, 11, 29, 1, 30, tzinfo=VN)
    clock = SlaClock.objects.get(case=case)
    assert clock.target_minutes == 120 and clock.state == "running"


def test_new_connection_three_working_days_urban_five_rural(world):
    from cskh.customers.services import create_customer
    from cskh.geo.models import Ward

    at = datetime(2026, 12, 7, 9, 0, tzinfo=VN)  # Monday 09:00
    urban = open_case(world, "new_connection", at)
    assert urban.due_at == datetime(2026, 12, 10, 9, 0, tzinfo=VN)  # Thursday 09:00
    rural_ward = Ward.objects.filter(province_id=79, is_rural=True).first()
    c = create_customer(full_name="Lê Thị Bình", phones=["0912345678"], ward_code=rural_ward.code)
    rural = open_case(world, "new_connection", at, customer=c)
    assert rural.due_at == datetime(2026, 12, 12, 9, 0, tzinfo=VN)  # Saturday is a working day
    assert SlaClock.objects.get(case=rural).target_minutes == 5 * 480


def test_telecom_written_complaint_reply_two_working_days(telecom, center):
    from cskh.catalog.services import install_profile
    from cskh.customers.services import create_customer

    install_profile("telecom")
    c = create_customer(full_name="Đỗ Minh", phones=["0903000111"])
    ct = get_case_type("staff_complaint")
    assert ct.is_complaint
    case = cases.open_case(
        customer=c,
        case_type=ct,
        description="Nhân viên hẹn không đến",
        at=datetime(2026, 12, 4, 15, 0, tzinfo=VN),  # Friday 15:00
    )
    # Fri 2h + Sat 8h + (Sun closed) Mon 6h → Monday 15:00
    assert case.due_at == datetime(2026, 12, 7, 15, 0, tzinfo=VN)


def test_tet_holidays_are_skipped(world):
    at = datetime(2027, 2, 3, 16, 0, tzinfo=VN)  # Wednesday before Tết Đinh Mùi (4–10/2/2027)
    case = open_case(world, "staff_complaint", at)  # 2 working days
    # Wed 1h, 4–10 Feb off, Thu 11 Feb 8h, Fri 12 Feb 7h → 16:00
    assert case.due_at == datetime(2027, 2, 12, 16, 0, tzinfo=VN)


def test_admin_day_off_moves_due_time(world):
    office = BusinessCalendar.objects.get(code="office")
    at = datetime(2026, 12, 7, 9, 0, tzinfo=VN)
    CalendarDayOff.objects.create(calendar=office, date=date(2026, 12, 8), name="Kiểm kê")
    sla.clear_cache()
    case = open_case(world, "new_connection", at)
    assert case.due_at == datetime(2026, 12, 11, 9, 0, tzinfo=VN)
    sla.clear_cache()


def test_table_arithmetic_matches_reference_loop():
    spec = cal.CalendarSpec.from_hours(OFFICE, days_off=frozenset({date(2026, 12, 24)}))
    rnd = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=VN)
    for _ in range(3000):
        start = base + timedelta(minutes=rnd.randint(0, 60 * 24 * 800), seconds=rnd.randint(0, 59))
        minutes = rnd.choice([1, 15, 240, 480, 1440, 2400, rnd.randint(1, 30000)])
        fast = cal.add_business_minutes(spec, start, minutes)
        slow = cal._add_business_minutes_slow(spec, start, minutes)
        assert abs((fast - slow).total_seconds()) < 0.01
        end = start + timedelta(minutes=rnd.randint(0, 40000))
        assert cal.business_minutes_between(spec, start, end) == pytest.approx(
            cal._business_minutes_between_slow(spec, start, end)
        )
    far = datetime(2071, 3, 3, 9, 0, tzinfo=VN)  # outside the table window: reference path
    assert cal.add_business_minutes(spec, far, 60) == datetime(2071, 3, 3, 10, 0, tzinfo=VN)


def test_clock_pauses_while_waiting_for_customer_in_business_time(world):
    at = datetime(2026, 12, 7, 9, 0, tzinfo=VN)  # Monday; meter: 3 working days
    case = open_case(world, "meter", at)
    assert case.due_at == datetime(2026, 12, 10, 9, 0, tzinfo=VN)
    sla.pause_clock(case=case, at=datetime(2026, 12, 7, 10, 0, tzinfo=VN))
    clock = SlaClock.objects.get(case=case)
    assert clock.state == "paused" and clock.elapsed_minutes == 60 and clock.next_check_at is None
    # resumes next morning: the evening and night are not working time, the morning is paused
    sla.resume_clock(case=case, at=datetime(2026, 12, 8, 9, 0, tzinfo=VN))
    clock.refresh_from_db()
    # paused working time: Mon 10:00–11:30, 13:00–17:00 and Tue 07:30–09:00 = 7 h
    assert clock.paused_minutes == pytest.approx(420)
    case.refresh_from_db()
    # 23 h left from Tue 09:00: Tue 6.5 h, Wed 8 h, Thu 8 h, Fri 07:30 + 30 min
    assert case.due_at == datetime(2026, 12, 11, 8, 0, tzinfo=VN)


def test_status_transitions_drive_the_clock_and_reassignment_does_not_reset(world, other_unit):
    case = open_case(world, "meter", datetime(2026, 12, 7, 9, 0, tzinfo=VN))
    due = Case.objects.get(pk=case.pk).due_at
    cases.assign(case=case, unit=other_unit, actor=world["agent"], reason="Đúng địa bàn")
    assert Case.objects.get(pk=case.pk).due_at == due
    assert SlaClock.objects.get(case=case).started_at == case.created_at
    cases.transition(case=case, to="waiting_customer", actor=world["agent"], note="Cần ảnh")
    assert SlaClock.objects.get(case=case).state == "paused"
    cases.transition(case=case, to="in_progress", actor=world["agent"])
    assert SlaClock.objects.get(case=case).state == "running"
    cases.transition(case=case, to="resolved", actor=world["agent"], note="Đã thay công tơ")
    clock = SlaClock.objects.get(case=case)
    assert clock.state == "stopped" and clock.stopped_at is not None
    assert clock.next_check_at is None


def test_first_response_is_recorded(world):
    case = open_case(world, "meter", datetime(2026, 12, 7, 9, 0, tzinfo=VN))
    cases.add_note(case=case, body="Chúng tôi đã nhận yêu cầu", public=True, actor=world["agent"])
    clock = SlaClock.objects.get(case=case)
    assert clock.first_responded_at is not None


def test_due_times_go_out_with_the_case_insert_not_a_later_update(world):
    """sla sets the due times before the INSERT (case_opening hook): an UPDATE of the new row
    would write every index of the case table a second time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    at = datetime(2026, 12, 7, 9, 0, tzinfo=VN)
    with CaptureQueriesContext(connection) as ctx:
        case = open_case(world, "meter", at)
    table = connection.ops.quote_name(Case._meta.db_table)
    updates = [q["sql"] for q in ctx.captured_queries if f"UPDATE {table}" in q["sql"]]
    assert updates == []
    stored = Case.objects.get(pk=case.pk)
    assert stored.due_at == datetime(2026, 12, 10, 9, 0, tzinfo=VN)
    assert stored.first_response_due_at == SlaClock.objects.get(case=case).first_response_due_at


def test_due_epochs_agree_with_the_datetime_path():
    """The bulk writers' integer path gives the same instants as add_business_minutes_pair,
    over working days, nights, weekends, a day off and Tết."""
    import random
    from datetime import UTC, datetime

    from cskh.sla import calendar as cal

    spec = cal.CalendarSpec.from_hours(OFFICE, days_off=frozenset({date(2026, 12, 24)}))
    rng = random.Random(7)
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    for _ in range(300):
        t = start + rng.randint(0, 400 * 86400)
        first, second = rng.choice([(30, 240), (60, 1440), (120, 2880)])
        a, b = cal.add_business_minutes_pair(spec, datetime.fromtimestamp(t, UTC), first, second)
        assert cal.due_epochs(spec, t, first, second) == (int(a.timestamp()), int(b.timestamp()))
    always = cal.CalendarSpec()
    assert cal.due_epochs(always, start, 30, 60) == (start + 1800, start + 3600)
