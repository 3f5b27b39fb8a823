"""Resolution cascade: linked cases resolved, every affected customer notified, throttled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.incidents import selectors, services
from cskh.incidents.models import Incident, NotifyBatch
from cskh.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_resolve_closes_linked_cases_and_notifies_everyone_in_scope(network, report, lead):
    inc = services.create_incident(
        kind="unplanned_outage",
        title="Sự cố trạm T1",
        scope={"transformers": ["T1"]},
        actor=lead,
    )
    callers = network["T1"][:2]
    cases = [report(c) for c in callers]
    # a caller with a second open issue on another live incident keeps that case open
    other = services.create_incident(
        kind="unplanned_outage", title="Sự cố trạm T9", scope={"transformers": ["T9"]}, actor=lead
    )
    services.link_case(incident=other, case=cases[1], actor=lead)
    unrelated = report(network["T9"][0])

    services.transition(incident=inc, to="resolved", actor=lead, note="Đã thay cầu chì")
    out = services.run_cascade(inc.pk)
    assert out["cases_resolved"] == 1
    for c in cases:
        c.refresh_from_db()
    assert cases[0].status == "resolved" and "Đã khắc phục sự cố" in cases[0].resolution
    assert cases[1].is_open  # still linked to the live T9 incident
    unrelated.refresh_from_db()
    assert unrelated.is_open

    notified = set(
        Notification.objects.filter(incident_id=inc.pk, template="incident_restored").values_list(
            "customer_id", flat=True
        )
    )
    assert notified == {c.pk for c in network["T1"]}  # all 6 on T1, not only the 2 callers
    inc.refresh_from_db()
    # two messages to the 6: "outage" when it was created confirmed, "restored" now
    assert (inc.notify_total, inc.notify_enqueued, inc.cascade_pending) == (12, 12, False)
    progress = selectors.notify_progress(inc)
    assert progress["pending"] == 12 and progress["batches_sent"] == progress["batches"] == 2
    [restored] = [m for m in progress["messages"] if m["template"] == "incident_restored"]
    assert restored["customers"] == restored["handed"] == restored["pending"] == 6
    # idempotent: running the cascade again sends nothing twice
    Incident.objects.filter(pk=inc.pk).update(cascade_pending=True)
    services.run_cascade(inc.pk)
    assert Notification.objects.filter(incident_id=inc.pk).count() == 12


def test_bulk_notifications_are_paced_per_channel(network, lead, settings):
    from cskh.customers.models import Customer

    settings.CSKH_INCIDENT_NOTIFY_RATES = {"sms": 1, "email": 0.4}  # 5 and 2 per 5-second slot
    f1 = [c for t in ("T1", "T2", "T3") for c in network[t]]  # 18 customers
    Customer.objects.filter(pk__in=[c.pk for c in f1[:4]]).update(preferred_channel="email")
    inc = services.create_incident(
        kind="unplanned_outage", title="Sự cố tuyến F1", scope={"feeders": ["F1"]}, actor=lead
    )
    services.transition(incident=inc, to="resolved", actor=lead)
    services.run_cascade(inc.pk)
    t0 = timezone.now()
    batches = list(
        NotifyBatch.objects.filter(incident=inc, template="incident_restored").order_by(
            "channel", "due_at"
        )
    )
    assert [(b.channel, b.size) for b in batches] == [
        ("email", 2),
        ("email", 2),
        ("sms", 5),
        ("sms", 5),
        ("sms", 4),
    ]
    # only the first slice of each channel went out now
    restored = Notification.objects.filter(incident_id=inc.pk, template="incident_restored")
    assert restored.count() == 7
    assert services.next_batch_due() > t0
    # the scheduler hands over the rest when due
    services.send_due_batches(now=t0 + timedelta(seconds=5))
    assert restored.count() == 14
    services.deliver_planned_notices(now=t0 + timedelta(seconds=11))
    assert restored.count() == 18
    inc.refresh_from_db()
    assert inc.notify_enqueued == inc.notify_total == 2 * 18  # "outage" and "restored"


def test_eta_update_notifies_everyone_in_scope_and_those_who_asked(network, report, lead, customer):
    inc = services.create_incident(
        kind="unplanned_outage", title="Sự cố trạm T2", scope={"transformers": ["T2"]}, actor=lead
    )
    caller = network["T2"][0]
    report(caller)  # callers are subscribed when their case is linked
    services.subscribe(incident=inc, customer=customer, actor=lead)  # asked via Zalo
    eta = timezone.now() + timedelta(hours=3)
    services.update_incident(incident=inc, eta=eta, actor=lead)
    text = timezone.localtime(eta).strftime("%H:%M %d/%m/%Y")
    told = Notification.objects.filter(incident_id=inc.pk, body__contains=text)
    # everyone on T2 (not only the caller) and the subscriber who lives elsewhere
    assert set(told.values_list("customer_id", flat=True)) == {
        *(c.pk for c in network["T2"]),
        customer.pk,
    }
    body = told.first().body
    assert inc.code not in body  # the internal code never reaches customers
    # same ETA again: nothing new
    services.update_incident(incident=inc, eta=eta, actor=lead)
    assert told.count() == len(network["T2"]) + 1
    assert (
        Incident.objects.get(pk=inc.pk).events.filter(kind="eta").count() == 2
    )  # the default ETA at creation, then the lead's
