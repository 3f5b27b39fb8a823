"""Pages: public kiosk, display and booking (no login), the counter page with its actions,
another office's counters answering 404, the figures page with its SVG charts."""

import pytest
from django.test import Client
from django.utils import timezone

from cskh.counters import selectors, services
from cskh.counters.models import Appointment, Ticket

pytestmark = pytest.mark.django_db


def test_kiosk_issues_ticket_without_login(office, svc):
    c = Client()
    r = c.get(f"/quay/{office.code}/")
    assert r.status_code == 200 and "Thanh toán tiền điện" in r.content.decode()
    r = c.post(f"/quay/{office.code}/", {"action": "ticket", "service": svc["A"].pk, "phone": ""})
    assert r.status_code == 200 and "A001" in r.content.decode()
    r = c.post(f"/quay/{office.code}/", {"action": "ticket", "service": 99999})
    assert r.status_code == 400
    assert c.get("/quay/NOPE/").status_code == 404


def test_kiosk_check_in_with_booking_code(office, svc):
    start = selectors.free_slots(service=svc["A"])[0]["start"]
    appt = services.book_appointment(
        service=svc["A"], start=start, full_name="Mai", phone="0912345678"
    )
    Appointment.objects.filter(pk=appt.pk).update(start=timezone.now())
    r = Client().post(f"/quay/{office.code}/", {"action": "checkin", "code": appt.code})
    assert r.status_code == 200, r.content.decode()
    assert Ticket.objects.get(appointment=appt).number == "A001"


def test_display_board_public(office, svc, counters, officer):
    services.issue_ticket(office=office, service=svc["A"])
    services.call_next(counter=counters[1], actor=officer)
    r = Client().get(f"/quay/{office.code}/man-hinh/bang")
    assert r.status_code == 200 and 'data-ticket="A001"' in r.content.decode()
    assert Client().get(f"/quay/{office.code}/man-hinh/").status_code == 200


def test_booking_page_flow(office, svc):
    from cskh.notify.models import Notification

    c = Client()
    r = c.get(f"/dat-lich/?office={office.code}&service={svc['B'].pk}")
    assert r.status_code == 200
    slot = selectors.free_slots(service=svc["B"])[0]["start"]
    r = c.post(
        f"/dat-lich/?office={office.code}&service={svc['B'].pk}",
        {
            "service": svc["B"].pk,
            "start": slot.isoformat(),
            "full_name": "Lê Thị Mai",
            "phone": "0912345678",
        },
    )
    assert r.status_code == 200, r.content.decode()
    appt = Appointment.objects.get()
    assert appt.code in r.content.decode()
    assert Notification.objects.filter(to="+84912345678", channel="sms").count() == 1
    r = c.post(
        "/dat-lich/",
        {
            "service": svc["B"].pk,
            "start": slot.isoformat(),
            "full_name": "B",
            "phone": "0987654321",
        },
    )
    assert r.status_code == 409  # the slot's only place is taken


def test_booking_rate_limited_per_ip(office, svc, settings):
    settings.CSKH_COUNTER_BOOKING_LIMITS = {"phone_per_day": 100, "ip_per_hour": 1}
    slots = selectors.free_slots(service=svc["A"])
    c = Client()
    ok = c.post(
        "/dat-lich/",
        {
            "service": svc["A"].pk,
            "start": slots[0]["start"].isoformat(),
            "full_name": "A",
            "phone": "0912345671",
        },
    )
    assert ok.status_code == 200
    r = c.post(
        "/dat-lich/",
        {
            "service": svc["A"].pk,
            "start": slots[1]["start"].isoformat(),
            "full_name": "B",
            "phone": "0912345672",
        },
    )
    assert r.status_code == 429


def test_counter_page_and_actions(client, office, svc, counters, officer):
    client.force_login(officer)
    services.issue_ticket(office=office, service=svc["A"])
    base = f"/quay-giao-dich/{office.code}/1/"
    assert client.get(base).status_code == 200
    assert client.post(base + "next").status_code == 302
    t = Ticket.objects.get()
    assert t.state == "called" and t.counter_id == counters[1].pk
    client.post(base + "recall", {"ticket": t.pk})
    client.post(base + "start", {"ticket": t.pk})
    client.post(base + "finish", {"ticket": t.pk})
    t.refresh_from_db()
    assert t.state == "done" and t.recalls == 1
    assert client.post(base + "bogus").status_code == 404


def test_other_office_counters_are_404(
    client, office, other_office, svc, officer, other_officer, agent
):
    services.issue_ticket(office=office, service=svc["A"])
    client.force_login(other_officer)
    base = f"/quay-giao-dich/{office.code}/1/"
    assert client.get(base).status_code == 404
    assert client.post(base + "next").status_code == 404
    assert Ticket.objects.get().state == "waiting"
    # a ticket of this office posted to the officer's own counter: not found either
    client.force_login(officer)
    services.call_next(counter=office.counters.get(number=1), actor=officer)
    t = Ticket.objects.get()
    client.force_login(other_officer)
    r = client.post(f"/quay-giao-dich/{other_office.code}/1/finish", {"ticket": t.pk})
    assert r.status_code == 404
    client.force_login(agent)  # the desk's agents do not operate counters
    assert client.get(base).status_code == 404
    assert client.get("/quay-giao-dich/").status_code == 403


def test_figures_page_renders_charts_and_table(client, lead, office, svc, counters, officer):
    services.issue_ticket(office=office, service=svc["A"])
    t = services.call_next(counter=counters[1], actor=officer)
    services.finish(ticket=t, counter=counters[1], actor=officer)
    client.force_login(lead)
    r = client.get("/quay-giao-dich/so-lieu/?group_by=counter")
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html and 'id="figures-table"' in html
    assert "Quầy 1" in html


def test_counter_staff_lands_on_counter_home(client, officer, office):
    client.force_login(officer)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/quay-giao-dich/"
    assert office.name in client.get("/quay-giao-dich/").content.decode()
