"""The counters API: figures (typed, per role), free slots, call-next; others' offices 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.counters import services
from cskh.counters.models import Ticket

pytestmark = pytest.mark.django_db


def _history(office, svc, counters):
    now = timezone.now()
    for i, w in enumerate([60, 120, 600]):
        Ticket.objects.create(
            office=office,
            service=svc["A"],
            day=timezone.localdate(now),
            number=f"A{i:03d}",
            state=Ticket.State.DONE,
            counter=counters[1],
            issued_at=now,
            queued_at=now,
            wait_seconds=w,
            service_seconds=180,
        )


def test_figures_for_lead_and_counter_staff(
    api_as, lead, officer, office, other_office, svc, counters
):
    _history(office, svc, counters)
    r = api_as(lead).get("/api/v1/counters/figures?group_by=office")
    assert r.status_code == 200, r.content
    items = {i["key"]: i for i in r.json()["items"]}
    mine = items[str(office.pk)]
    assert mine["tickets"] == 3 and mine["wait_median"] == 2.0 and mine["service_median"] == 3.0
    # counter staff: their office only; another office's code answers 404
    r = api_as(officer).get("/api/v1/counters/figures?group_by=counter")
    assert r.status_code == 200
    assert [i["label"] for i in r.json()["items"]] == [f"{office.name} · Quầy 1"]
    r = api_as(officer).get(f"/api/v1/counters/figures?office={other_office.code}")
    assert r.status_code == 404


def test_figures_refused_to_agents_and_bad_input(api_as, agent, lead):
    assert api_as(agent).get("/api/v1/counters/figures").status_code == 403
    r = api_as(lead).get("/api/v1/counters/figures?from=2026-05-02&to=2026-05-01")
    assert r.status_code == 400 and r.json()["code"] == "bad_range"
    r = api_as(lead).get("/api/v1/counters/figures?group_by=bogus")
    assert r.status_code == 422
    assert api_as().get("/api/v1/counters/figures").status_code == 401


def test_free_slots_api(api_as, officer, office, svc):
    r = api_as(officer).get(f"/api/v1/counters/offices/{office.code}/services/B/slots")
    assert r.status_code == 200
    slots = r.json()
    assert slots and all(s["free"] == 1 for s in slots)
    assert (
        api_as(officer).get(f"/api/v1/counters/offices/{office.code}/services/Z/slots").status_code
        == 404
    )


def test_call_next_api_and_other_office_404(api_as, officer, other_officer, office, svc):
    client = api_as(officer)
    url = f"/api/v1/counters/offices/{office.code}/counters/1/call-next"
    assert client.post(url).status_code == 204
    services.issue_ticket(office=office, service=svc["A"])
    r = client.post(url)
    assert r.status_code == 200 and r.json()["number"] == "A001"
    assert r.json()["counter"] == 1
    # busy counter: a clear 409 in Vietnamese
    r = client.post(url)
    assert r.status_code == 409 and r.json()["detail"]
    # staff of another unit: the office does not exist for them
    assert api_as(other_officer).post(url).status_code == 404
    offices = api_as(officer).get("/api/v1/counters/offices").json()
    assert [o["code"] for o in offices] == [office.code]


def test_slots_exclude_past_and_full(api_as, officer, office, svc):
    slots = api_as(officer).get(f"/api/v1/counters/offices/{office.code}/services/A/slots").json()
    assert all(s["start"] > (timezone.now() - timedelta(seconds=1)).isoformat()[:10] for s in slots)
