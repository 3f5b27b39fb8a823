"""Incident notices (#21): confirming tells everyone in scope, with the ETA, in plain words;
no internal code and no "Nghi …" reaches customers; progress counts one message per row."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.incidents import selectors, services
from cskh.incidents.models import Incident
from cskh.notify.models import Notification

pytestmark = pytest.mark.django_db


def _suspected(network, report):
    t0 = timezone.now() - timedelta(minutes=20)
    for i, c in enumerate(network["T1"][:3]):
        report(c, at=t0 + timedelta(minutes=i))
    return Incident.objects.get(status="suspected")


def test_confirming_tells_everyone_in_scope_with_the_eta_and_no_code(network, report, lead):
    inc = _suspected(network, report)
    assert inc.title.startswith("Nghi ")
    inc = services.transition(incident=inc, to="confirmed", actor=lead)
    assert not inc.title.startswith("Nghi ") and inc.title.startswith("Mất điện diện rộng")
    assert inc.eta is not None  # the restore promise of the outage type when the lead gave none
    rows = list(Notification.objects.filter(incident_id=inc.pk, template="incident_outage"))
    assert {n.customer_id for n in rows} == {c.pk for c in network["T1"]}  # 6, not 3 callers
    eta = timezone.localtime(inc.eta).strftime("%H:%M %d/%m/%Y")
    for n in rows:
        assert inc.code not in n.body and inc.code not in n.subject
        assert "SC-" not in n.body and "Nghi" not in n.body + n.subject
        assert eta in n.body
        assert "mất điện" in n.body.lower()


def test_a_new_eta_is_sent_to_everyone_in_scope(network, report, lead):
    inc = services.transition(incident=_suspected(network, report), to="confirmed", actor=lead)
    eta = timezone.now() + timedelta(hours=5)
    services.update_incident(incident=inc, eta=eta, actor=lead)
    text = timezone.localtime(eta).strftime("%H:%M %d/%m/%Y")
    updated = Notification.objects.filter(incident_id=inc.pk, body__contains=text)
    assert updated.count() == len(network["T1"])


def test_restored_message_has_no_code_and_no_doubt(network, report, lead):
    inc = _suspected(network, report)
    services.transition(incident=inc, to="resolved", actor=lead)
    services.run_cascade(inc.pk)
    rows = Notification.objects.filter(incident_id=inc.pk, template="incident_restored")
    assert rows.count() == len(network["T1"])
    for n in rows:
        assert inc.code not in n.body + n.subject and "Nghi" not in n.body + n.subject
        assert "đã được khắc phục" in n.body


def test_progress_rows_never_exceed_their_own_totals(network, report, lead):
    inc = services.transition(incident=_suspected(network, report), to="confirmed", actor=lead)
    services.transition(incident=inc, to="resolved", actor=lead)
    services.run_cascade(inc.pk)
    Notification.objects.filter(incident_id=inc.pk).update(status="sent")
    progress = selectors.notify_progress(inc)
    rows = progress["messages"]
    assert [r["template"] for r in rows] == ["incident_outage", "incident_restored"]
    assert progress["total"] == progress["enqueued"] == progress["sent"] == 2 * len(network["T1"])
    for r in rows:
        assert r["customers"] == r["handed"] == r["sent"] == len(network["T1"])
        assert r["batches_sent"] == r["batches"]


def test_detail_page_offers_no_cancel_for_an_unplanned_outage(client, network, lead):
    inc = services.create_incident(
        kind="unplanned_outage", title="Sự cố trạm T1", scope={"transformers": ["T1"]}, actor=lead
    )
    client.force_login(lead)
    html = client.get(f"/incidents/{inc.pk}/").content.decode()
    assert 'data-to="resolved"' in html
    assert 'data-to="cancelled"' not in html and "Hủy lịch" not in html
    assert "/0 " not in html  # no "4/0" progress


def test_planned_outage_still_offers_cancel(client, network, lead):
    start = timezone.now() + timedelta(days=2)
    inc = services.create_incident(
        kind="planned_outage",
        title="Bảo trì trạm T1",
        scope={"transformers": ["T1"]},
        actor=lead,
        started_at=start,
        eta=start + timedelta(hours=3),
    )
    client.force_login(lead)
    assert 'data-to="cancelled"' in client.get(f"/incidents/{inc.pk}/").content.decode()
