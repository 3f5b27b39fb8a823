"""Ticket numbering, call-next order, transfers, visits, appointments (capacity, SMS, limits)
and the figures' percentiles."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.counters import selectors, services
from cskh.counters.models import Appointment, Ticket

pytestmark = pytest.mark.django_db


def test_numbers_per_service_and_day(office, svc):
    first = services.issue_ticket(office=office, service=svc["A"])
    second = services.issue_ticket(office=office, service=svc["A"])
    other = services.issue_ticket(office=office, service=svc["B"])
    assert [first.number, second.number, other.number] == ["A001", "A002", "B001"]
    tomorrow = timezone.now() + timedelta(days=1)
    assert services.issue_ticket(office=office, service=svc["A"], at=tomorrow).number == "A001"


def test_phone_finds_customer_and_bad_phone_refused(office, svc, customer):
    t = services.issue_ticket(office=office, service=svc["A"], phone="0901 234 567")
    assert t.phone == "+84901234567" and t.customer_id == customer.pk
    with pytest.raises(DomainError):
        services.issue_ticket(office=office, service=svc["A"], phone="12ab")


def test_service_of_another_office_is_refused(office, other_office):
    foreign = other_office.services.get()
    with pytest.raises(DomainError) as exc:
        services.issue_ticket(office=office, service=foreign)
    assert exc.value.status == 404


def test_call_next_fifo_over_served_services_only(office, svc, counters, officer):
    b1 = services.issue_ticket(office=office, service=svc["B"])
    a1 = services.issue_ticket(office=office, service=svc["A"])
    a2 = services.issue_ticket(office=office, service=svc["A"])
    # counter 1 serves A only: skips the older B ticket
    assert services.call_next(counter=counters[1], actor=officer).pk == a1.pk
    # counter 2 serves A and B: the oldest of both
    assert services.call_next(counter=counters[2], actor=officer).pk == b1.pk
    # counter 3 serves B only: nothing left for it
    assert services.call_next(counter=counters[3], actor=officer) is None
    # counter 1 is busy until it finishes or marks absent
    with pytest.raises(DomainError):
        services.call_next(counter=counters[1], actor=officer)
    services.no_show(ticket=a1, counter=counters[1], actor=officer)
    called = services.call_next(counter=counters[1], actor=officer)
    assert called.pk == a2.pk and called.state == Ticket.State.CALLED
    assert called.wait_seconds is not None and called.counter_id == counters[1].pk


def test_booked_ticket_due_goes_first_future_slot_waits(office, svc, counters, officer):
    now = timezone.now()
    walk_in = services.issue_ticket(office=office, service=svc["A"])
    due = services.issue_ticket(office=office, service=svc["A"])
    later = services.issue_ticket(office=office, service=svc["A"])
    Ticket.objects.filter(pk=due.pk).update(slot_start=now - timedelta(minutes=5))
    Ticket.objects.filter(pk=later.pk).update(slot_start=now + timedelta(hours=2))
    order = list(services.waiting_queue(counter=counters[1]).values_list("pk", flat=True))
    assert order == [due.pk, walk_in.pk, later.pk]
    assert services.call_next(counter=counters[1], actor=officer).pk == due.pk


def test_transfer_keeps_number_and_place(office, svc, counters, officer):
    first = services.issue_ticket(office=office, service=svc["A"])
    services.issue_ticket(office=office, service=svc["B"])
    called = services.call_next(counter=counters[1], actor=officer)
    assert called.pk == first.pk
    services.start_serving(ticket=called, counter=counters[1], actor=officer)
    moved = services.transfer(
        ticket=called, counter=counters[1], actor=officer, to_service=svc["B"]
    )
    assert moved.number == "A001" and moved.service_id == svc["B"].pk
    assert Ticket.objects.get(pk=first.pk).state == Ticket.State.TRANSFERRED
    # it keeps its place: ahead of B001, which came later
    assert services.call_next(counter=counters[3], actor=officer).pk == moved.pk


def test_transfer_to_named_counter_only_that_counter_calls(office, svc, counters, officer):
    services.issue_ticket(office=office, service=svc["A"])
    t = services.call_next(counter=counters[1], actor=officer)
    # counter 3 serves only B: it cannot take an A ticket unless the service changes too
    with pytest.raises(DomainError):
        services.transfer(ticket=t, counter=counters[1], actor=officer, to_counter=counters[3])
    moved = services.transfer(
        ticket=t, counter=counters[1], actor=officer, to_service=svc["B"], to_counter=counters[3]
    )
    assert moved.target_counter_id == counters[3].pk
    # counter 2 also serves B, but the ticket was sent to counter 3 by name
    assert services.call_next(counter=counters[2], actor=officer) is None
    assert services.call_next(counter=counters[3], actor=officer).pk == moved.pk


def test_transfer_to_a_named_counter_of_the_same_service(office, svc, counters, officer):
    services.issue_ticket(office=office, service=svc["A"])
    t = services.call_next(counter=counters[1], actor=officer)
    moved = services.transfer(ticket=t, counter=counters[1], actor=officer, to_counter=counters[2])
    assert services.call_next(counter=counters[1], actor=officer) is None
    assert services.call_next(counter=counters[2], actor=officer).pk == moved.pk


def test_finish_sets_service_time(office, svc, counters, officer):
    services.issue_ticket(office=office, service=svc["A"])
    t = services.call_next(counter=counters[1], actor=officer)
    services.start_serving(ticket=t, counter=counters[1], actor=officer)
    Ticket.objects.filter(pk=t.pk).update(serving_at=timezone.now() - timedelta(minutes=4))
    done = services.finish(ticket=t, counter=counters[1], actor=officer)
    assert done.state == Ticket.State.DONE and 235 <= done.service_seconds <= 245
    # another counter cannot touch it
    with pytest.raises(DomainError):
        services.recall(ticket=t, counter=counters[2], actor=officer)


def test_log_visit_as_case_with_channel_counter(
    office, svc, counters, officer, customer, textintel_models
):
    services.issue_ticket(office=office, service=svc["A"], phone="0901234567")
    t = services.call_next(counter=counters[1], actor=officer)
    row = services.log_visit(
        ticket=t,
        counter=counters[1],
        actor=officer,
        kind="case",
        type_code="billing",
        description="Khách hỏi hoá đơn tháng này tăng cao",
    )
    assert row.case.channel == "counter" and row.case.customer_id == customer.pk
    assert row.interaction.channel == "counter"
    assert list(row.interaction.cases.all()) == [row.case]


def test_served_visit_of_a_known_customer_gets_one_counter_survey(
    office, svc, counters, officer, customer
):
    """#16: counter_visit_completed reaches cx; logging the visit after finishing it does not
    send a second survey."""
    from cskh.cx.models import Survey

    services.issue_ticket(office=office, service=svc["A"], phone="0901234567")
    t = services.call_next(counter=counters[1], actor=officer)
    services.finish(ticket=t, counter=counters[1], actor=officer)
    services.log_visit(
        ticket=t, counter=counters[1], actor=officer, kind="contact", description="Hỏi cước"
    )
    surveys = Survey.objects.filter(customer=customer, touchpoint="counter")
    assert surveys.count() == 1
    assert surveys.get().channel == "counter" and surveys.get().agent_id == officer.pk
    # a walk-in without a phone is not surveyed
    services.issue_ticket(office=office, service=svc["A"])
    anon = services.call_next(counter=counters[1], actor=officer)
    services.finish(ticket=anon, counter=counters[1], actor=officer)
    assert Survey.objects.filter(touchpoint="counter").count() == 1


def test_log_visit_as_contact_without_customer(office, svc, counters, officer):
    services.issue_ticket(office=office, service=svc["A"])
    t = services.call_next(counter=counters[1], actor=officer)
    row = services.log_visit(
        ticket=t, counter=counters[1], actor=officer, kind="contact", description="Hỏi giờ mở cửa"
    )
    assert row.case_id is None and row.interaction.channel == "counter"
    with pytest.raises(DomainError):  # a case needs a customer
        services.log_visit(
            ticket=t, counter=counters[1], actor=officer, kind="case", description="x"
        )


# --------------------------------------------------------------------------- appointments


def _next_slot(service):
    return selectors.free_slots(service=service)[0]["start"]


def test_booking_capacity_sms_and_check_in(office, svc, counters, officer):
    from cskh.notify.models import Notification

    start = _next_slot(svc["B"])  # capacity 1
    appt = services.book_appointment(
        service=svc["B"], start=start, full_name="Lê Thị Mai", phone="0912 345 678"
    )
    assert appt.status == Appointment.Status.BOOKED and len(appt.code) == 6
    sms = Notification.objects.get(dedupe_key=f"counters:appointment:{appt.code}")
    assert sms.channel == "sms" and sms.to == "+84912345678" and appt.code in sms.body
    assert start not in [s["start"] for s in selectors.free_slots(service=svc["B"])]
    with pytest.raises(DomainError) as exc:
        services.book_appointment(
            service=svc["B"], start=start, full_name="Trần Văn Bình", phone="0987654321"
        )
    assert exc.value.status == 409
    services.cancel_appointment(appointment=appt)
    assert start in [s["start"] for s in selectors.free_slots(service=svc["B"])]


def test_check_in_by_code_or_phone_gives_slot_ticket(office, svc):
    now = timezone.now()
    start = now + timedelta(minutes=20)
    if timezone.localdate(start) != timezone.localdate(now):  # near midnight: a slot today
        start = now - timedelta(minutes=30)
    appt = Appointment.objects.create(
        code="K7Q2MX",
        office=office,
        service=svc["A"],
        start=start,
        end=start + timedelta(minutes=30),
        full_name="Lê Thị Mai",
        phone="+84912345678",
        created_at=now,
    )
    t = services.check_in(office=office, code="k7q2mx")
    assert t.appointment_id == appt.pk and t.slot_start == start
    assert services.check_in(office=office, phone="0912345678").pk == t.pk
    with pytest.raises(DomainError):
        services.check_in(office=office, code="ZZZZZZ")


def test_slot_outside_hours_or_past_refused(office, svc):
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() == 6:
        day += timedelta(days=1)
    with pytest.raises(DomainError):  # 03:00 is not a slot
        services.book_appointment(
            service=svc["A"],
            start=datetime(day.year, day.month, day.day, 3, 0, tzinfo=tz),
            full_name="A",
            phone="0912345678",
        )
    with pytest.raises(DomainError):
        services.book_appointment(
            service=svc["A"],
            start=timezone.now() - timedelta(hours=1),
            full_name="A",
            phone="0912345678",
        )


def test_booking_rate_limited_per_phone(office, svc, settings):
    settings.CSKH_COUNTER_BOOKING_LIMITS = {"phone_per_day": 2, "ip_per_hour": 100}
    slots = selectors.free_slots(service=svc["A"])
    for s in slots[:2]:
        services.book_appointment(
            service=svc["A"], start=s["start"], full_name="Mai", phone="0912000111"
        )
    with pytest.raises(DomainError) as exc:
        services.book_appointment(
            service=svc["A"], start=slots[2]["start"], full_name="Mai", phone="0912000111"
        )
    assert exc.value.status == 429


# --------------------------------------------------------------------------- figures


def test_figures_median_p90_and_no_shows(office, svc, counters):
    now = timezone.now()
    day = timezone.localdate(now)
    waits = [60, 120, 180, 240, 300, 360, 420, 480, 540, 600]
    for i, w in enumerate(waits):
        Ticket.objects.create(
            office=office,
            service=svc["A"],
            day=day,
            number=f"A{i:03d}",
            state=Ticket.State.NO_SHOW if i == 0 else Ticket.State.DONE,
            counter=counters[1],
            issued_at=now,
            queued_at=now,
            wait_seconds=w,
            service_seconds=None if i == 0 else 300,
        )
    (row,) = selectors.figures(offices=[office], start=day, end=day, group_by="office")
    assert row["tickets"] == 10 and row["served"] == 9 and row["no_show"] == 1
    assert row["wait_median"] == 5.5  # (300 + 360) / 2 s = 5.5 min
    assert row["wait_p90"] == 9.1  # 540 + 0.1 × 60 = 546 s
    assert row["service_median"] == 5.0 and row["no_show_rate"] == 10.0
    (by_counter,) = selectors.figures(offices=[office], start=day, end=day, group_by="counter")
    assert by_counter["key"] == str(counters[1].pk)
