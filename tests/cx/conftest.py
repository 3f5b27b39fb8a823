import pytest


@pytest.fixture
def case_type(profile):
    from cskh.catalog.services import get_case_type

    return get_case_type("billing", profile=profile)


@pytest.fixture
def resolve_case(world, case_type):
    """Open a phone case handled by the agent and resolve it: a finished hotline touchpoint."""
    from cskh.cases import services as cases

    def _resolve(customer=None, channel="phone"):
        case = cases.open_case(
            customer=customer or world["customer"],
            case_type=case_type,
            description="Hỏi về hóa đơn tháng này",
            channel=channel,
            actor=world["agent"],
            assign_to_actor=True,
        )
        return cases.transition(
            case=case, to="resolved", actor=world["agent"], note="Đã giải thích hóa đơn"
        )

    return _resolve
