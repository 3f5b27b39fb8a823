"""The incident transition table: every move it does not list is refused (409), unchanged."""

import itertools

import pytest

from cskh.core.errors import Conflict
from cskh.incidents import states
from cskh.incidents.models import Incident, IncidentEvent
from cskh.incidents.services import lifecycle

S = Incident.Status
FORBIDDEN = [(a, b) for a, b in itertools.product(S.values, S.values) if b not in states.allowed(a)]


def test_table_covers_every_status_and_ends_are_final():
    assert set(states.TRANSITIONS) == set(S.values)
    for status in (S.RESOLVED, S.DISMISSED, S.MERGED, S.CANCELLED):
        assert states.allowed(status) == frozenset()
    assert states.INITIAL == {S.SUSPECTED, S.CONFIRMED}


@pytest.fixture
def planned(db, ben_thanh):
    """A planned outage (so that 'cancelled' is refused by the table only)."""
    return lifecycle.create_incident(
        kind=Incident.Kind.PLANNED,
        title="Bảo trì trạm",
        scope={"wards": [ben_thanh.pk]},
    )


@pytest.mark.parametrize(("before", "to"), FORBIDDEN)
def test_every_forbidden_transition_is_refused(planned, before, to):
    Incident.objects.filter(pk=planned.pk).update(status=before)  # arrange the start state
    other = lifecycle.create_incident(
        kind=Incident.Kind.UNPLANNED,
        title="Sự cố khác",
        scope={"wards": [planned.scopes.get().code]},
    )
    events = IncidentEvent.objects.filter(incident=planned).count()
    with pytest.raises(Conflict) as exc:
        lifecycle.transition(incident=planned, to=to, merge_into=other)
    assert exc.value.status == 409 and exc.value.code == "illegal_transition"
    assert str(exc.value).startswith("Không thể chuyển sự cố")
    assert Incident.objects.get(pk=planned.pk).status == before
    assert IncidentEvent.objects.filter(incident=planned).count() == events


def test_only_a_planned_outage_can_be_cancelled(db, ben_thanh):
    inc = lifecycle.create_incident(
        kind=Incident.Kind.UNPLANNED, title="Mất điện", scope={"wards": [ben_thanh.pk]}
    )
    assert S.CANCELLED in states.allowed(inc.status)
    with pytest.raises(Conflict, match="lịch ngừng cấp điện"):
        lifecycle.transition(incident=inc, to=S.CANCELLED)
    assert Incident.objects.get(pk=inc.pk).status == S.CONFIRMED


def test_merge_of_a_finished_incident_is_refused(db, ben_thanh):
    source, target = (
        lifecycle.create_incident(
            kind=Incident.Kind.UNPLANNED, title=t, scope={"wards": [ben_thanh.pk]}
        )
        for t in ("Nguồn", "Đích")
    )
    Incident.objects.filter(pk=source.pk).update(status=S.RESOLVED)
    source.refresh_from_db()
    with pytest.raises(Conflict):
        lifecycle.merge(source=source, target=target)
    assert Incident.objects.get(pk=source.pk).merged_into is None


def test_incident_events_are_append_only(db, ben_thanh):
    inc = lifecycle.create_incident(
        kind=Incident.Kind.UNPLANNED, title="Mất điện", scope={"wards": [ben_thanh.pk]}
    )
    event = IncidentEvent.objects.filter(incident=inc).first()
    event.body = "sửa lịch sử"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert IncidentEvent.objects.get(pk=event.pk).body != "sửa lịch sử"
