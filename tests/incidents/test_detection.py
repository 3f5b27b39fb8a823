"""Grouping: thresholds, sliding window, feeder escalation, linking at creation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.incidents import rules
from cskh.incidents.models import Incident, IncidentCase, IncidentRule, Level
from cskh.incidents.selectors import active_incidents_for_customer

pytestmark = pytest.mark.django_db


def live():
    return list(Incident.objects.filter(status__in=Incident.LIVE).order_by("id"))


def test_three_reports_on_one_transformer_within_window_make_a_suspected_incident(network, report):
    t0 = timezone.now() - timedelta(minutes=20)
    c1, c2, c3, c4 = network["T1"][:4]
    report(c1, at=t0)
    report(c2, at=t0 + timedelta(minutes=5))
    assert live() == []  # 2 < 3
    third = report(c3, at=t0 + timedelta(minutes=9))
    [inc] = live()
    assert (inc.status, inc.level, inc.detect_key) == ("suspected", "transformer", "transformer:T1")
    assert inc.threshold_at == third.created_at
    assert inc.first_case_at == t0
    assert set(inc.scopes.values_list("level", "code")) == {("transformer", "T1")}
    assert IncidentCase.objects.filter(incident=inc).count() == 3
    # a 4th report joins it instead of opening another incident
    fourth = report(c4, at=t0 + timedelta(minutes=10))
    assert IncidentCase.objects.filter(incident=inc, case=fourth).exists()
    assert len(live()) == 1


def test_reports_outside_the_window_do_not_group(network, report):
    t0 = timezone.now() - timedelta(hours=2)
    c1, c2, c3 = network["T1"][:3]
    report(c1, at=t0)
    report(c2, at=t0 + timedelta(minutes=10))
    report(c3, at=t0 + timedelta(minutes=16))  # first report left the 15-minute window
    assert live() == []


def test_thresholds_are_configurable_by_rule_rows(network, report):
    IncidentRule.objects.create(level=Level.TRANSFORMER, min_cases=2, window_minutes=5)
    rules.clear_cache()
    t0 = timezone.now() - timedelta(minutes=30)
    a, b, c = network["T2"][:3]
    report(a, at=t0)
    report(b, at=t0 + timedelta(minutes=6))  # outside 5 min
    assert live() == []
    report(c, at=t0 + timedelta(minutes=8))  # b + c within 5 min
    assert [i.detect_key for i in live()] == ["transformer:T2"]


def test_non_grouping_case_types_are_ignored(network, report):
    from cskh.catalog.models import CaseType

    billing = CaseType.objects.filter(groups_incidents=False).first()
    for c in network["T1"][:4]:
        report(c, case_type=billing)
    assert live() == []


def test_two_transformers_of_one_feeder_escalate_to_the_feeder(network, report):
    t0 = timezone.now() - timedelta(minutes=14)
    for i, c in enumerate(network["T1"][:3]):
        report(c, at=t0 + timedelta(seconds=i))
    for i, c in enumerate(network["T2"][:3]):
        report(c, at=t0 + timedelta(minutes=1, seconds=i))
    [feeder] = live()
    assert (feeder.level, feeder.detect_key) == ("feeder", "feeder:F1")
    merged = Incident.objects.filter(status="merged")
    assert {m.detect_key for m in merged} == {"transformer:T1", "transformer:T2"}
    assert all(m.merged_into_id == feeder.pk for m in merged)
    assert IncidentCase.objects.filter(incident=feeder).count() == 6
    # a report from the third transformer of the feeder joins the feeder incident
    case = report(network["T3"][0], at=t0 + timedelta(minutes=2))
    assert IncidentCase.objects.get(case=case).incident_id == feeder.pk
    # another feeder is untouched
    other = report(network["T9"][0], at=t0 + timedelta(minutes=2))
    assert not IncidentCase.objects.filter(case=other).exists()


def test_case_inside_a_confirmed_incident_is_linked_at_creation(network, report, lead):
    from cskh.incidents.services import create_incident

    inc = create_incident(
        kind="unplanned_outage",
        title="Sự cố tuyến 471",
        scope={"feeders": ["F1"]},
        eta=timezone.now() + timedelta(hours=2),
        actor=lead,
    )
    customer = network["T3"][5]
    assert [i.pk for i in active_incidents_for_customer(customer)] == [inc.pk]
    assert active_incidents_for_customer(network["T9"][0]) == []
    case = report(customer)
    link = IncidentCase.objects.get(case=case)
    assert (link.incident_id, link.how) == (inc.pk, "at_creation")
    ev = case.events.filter(kind="incident").get()
    assert inc.code in ev.body and "Dự kiến khôi phục" in ev.body


def test_confirm_backfills_open_reports_in_scope(network, report, lead):
    from cskh.incidents.services import transition

    t0 = timezone.now() - timedelta(minutes=5)
    for i, c in enumerate(network["T9"][:3]):
        report(c, at=t0 + timedelta(seconds=i))
    [inc] = live()
    transition(incident=inc, to="confirmed", actor=lead)
    inc.refresh_from_db()
    assert inc.status == "confirmed" and inc.confirmed_at
    assert IncidentCase.objects.filter(incident=inc).count() == 3
    assert [i.pk for i in active_incidents_for_customer(network["T9"][4])] == [inc.pk]


def test_dismiss_and_illegal_transitions(network, report, lead, agent):
    from cskh.core.errors import DomainError
    from cskh.incidents.services import transition

    for c in network["T9"][:3]:
        report(c)
    [inc] = live()
    with pytest.raises(DomainError) as e:
        transition(incident=inc, to="confirmed", actor=agent)  # agents cannot manage
    assert e.value.status == 403
    with pytest.raises(DomainError) as e:
        transition(incident=inc, to="restoring", actor=lead)
    assert e.value.status == 409
    inc.refresh_from_db()
    assert inc.status == "suspected"
    transition(incident=inc, to="dismissed", actor=lead)
    inc.refresh_from_db()
    assert inc.status == "dismissed"
    assert not IncidentCase.objects.filter(incident=inc).exists()
    assert not inc.scopes.filter(live=True).exists()
