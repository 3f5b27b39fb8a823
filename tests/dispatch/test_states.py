"""The work-order transition table: every move it does not list is refused (409)."""

import itertools

import pytest

from cskh.core.errors import Conflict
from cskh.dispatch import states
from cskh.dispatch.models import WorkOrder, WorkOrderEvent
from cskh.dispatch.services import center, field

S = WorkOrder.Status
FORBIDDEN = [(a, b) for a, b in itertools.product(S.values, S.values) if b not in states.allowed(a)]


def test_table_covers_every_status_and_ends_are_final():
    assert set(states.TRANSITIONS) == set(S.values)
    assert states.OPEN == {S.SENT, S.ACCEPTED, S.IN_PROGRESS}
    for status in set(S.values) - states.OPEN:
        assert states.allowed(status) == frozenset()
    # Once the technician is on the way the unit can no longer return the work order.
    assert S.REJECTED not in states.allowed(S.IN_PROGRESS)
    assert S.DONE not in states.allowed(S.SENT)


@pytest.mark.parametrize(("before", "to"), FORBIDDEN)
def test_move_refuses_every_forbidden_transition(before, to):
    wo = WorkOrder(pk=7, status=before)
    with pytest.raises(Conflict) as exc:
        states.move(wo, to)
    assert exc.value.status == 409 and exc.value.code == "illegal_transition"
    assert wo.status == before


@pytest.mark.parametrize(
    ("before", "to"), [(a, b) for a in S.values for b in sorted(states.allowed(a))]
)
def test_move_applies_every_allowed_transition(before, to):
    wo = WorkOrder(pk=7, status=before)
    states.move(wo, to)
    assert wo.status == to


def test_services_refuse_a_closed_work_order(world, dispatched, unit_staff):
    """Every step on a finished work order is a 409 and writes nothing."""
    center.cancel(work_order=dispatched, reason="Khách hủy", actor=world["agent"])
    events = WorkOrderEvent.objects.filter(work_order=dispatched).count()
    steps = [
        lambda: field.accept(work_order=dispatched, actor=unit_staff),
        lambda: field.add_progress_note(work_order=dispatched, body="Đang làm", actor=unit_staff),
        lambda: field.complete(work_order=dispatched, resolution="Xong", actor=unit_staff),
        lambda: field.reject(work_order=dispatched, reason="Không phải", actor=unit_staff),
        lambda: center.cancel(work_order=dispatched, reason="Lần nữa", actor=world["agent"]),
    ]
    for step in steps:
        with pytest.raises(Conflict) as exc:
            step()
        assert exc.value.status == 409
    dispatched.refresh_from_db()
    assert dispatched.status == S.CANCELLED
    assert WorkOrderEvent.objects.filter(work_order=dispatched).count() == events
