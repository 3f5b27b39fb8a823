import pytest

from cskh.cases import services
from cskh.cases.models import CaseEvent
from cskh.cases.states import TRANSITIONS, Status
from cskh.catalog.services import get_case_type
from cskh.core.errors import DomainError


@pytest.fixture
def case(world):
    return services.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Tiền điện tháng này tăng gấp đôi",
        actor=world["agent"],
    )


ALL = list(Status.values)


@pytest.mark.parametrize("src", ALL)
@pytest.mark.parametrize("dst", ALL)
def test_every_pair_follows_the_table(world, src, dst):
    case = services.open_case(
        customer=world["customer"], case_type=get_case_type("billing"), description="x"
    )
    # walk to src through allowed transitions
    path = {
        "new": [],
        "assigned": ["assigned"],
        "in_progress": ["in_progress"],
        "waiting_customer": ["waiting_customer"],
        "waiting_unit": ["waiting_unit"],
        "resolved": ["resolved"],
        "closed": ["resolved", "closed"],
    }[src]
    for step in path:
        case = services.transition(case=case, to=step, note="ok")
    assert case.status == src
    if dst in TRANSITIONS[src]:
        case = services.transition(case=case, to=dst, note="ok")
        assert case.status == dst
    else:
        events_before = case.events.count()
        with pytest.raises(DomainError) as exc:
            services.transition(case=case, to=dst, note="ok")
        assert exc.value.status == 409
        case.refresh_from_db()
        assert case.status == src
        assert case.events.count() == events_before


def test_resolve_requires_resolution(case):
    with pytest.raises(DomainError) as exc:
        services.transition(case=case, to=Status.RESOLVED)
    assert exc.value.code == "missing_resolution"


def test_reopen_counts_and_clears_resolution_time(case):
    case = services.transition(case=case, to=Status.RESOLVED, note="Đã giải thích biểu giá")
    assert not case.is_open and case.resolved_at is not None
    case = services.transition(case=case, to=Status.IN_PROGRESS, note="Khách gọi lại")
    assert case.is_open and case.reopen_count == 1 and case.resolved_at is None
    last = case.events.order_by("-id").first()
    assert last.data == {"from": "resolved", "to": "in_progress", "reopen": True}


def test_timeline_is_append_only(case):
    event = case.events.first()
    assert event.kind == CaseEvent.Kind.CREATED
    event.body = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_first_contact_resolution(world):
    case = services.open_case(
        customer=world["customer"],
        case_type=get_case_type("general"),
        description="Hỏi giờ làm việc",
        resolved_on_call=True,
        resolution="Đã trả lời",
        actor=world["agent"],
    )
    assert case.status == Status.RESOLVED
    assert case.resolved_on_first_contact
    assert [e.kind for e in case.events.order_by("id")] == ["created", "status"]


def test_case_numbers_are_sequential_and_readable(world):
    a = services.open_case(
        customer=world["customer"], case_type=get_case_type("meter"), description="a"
    )
    b = services.open_case(
        customer=world["customer"], case_type=get_case_type("meter"), description="b"
    )
    prefix, year, seq = a.number.split("-")
    assert prefix == "CS" and len(year) == 4 and len(seq) == 6
    assert int(b.number.split("-")[2]) == int(seq) + 1
