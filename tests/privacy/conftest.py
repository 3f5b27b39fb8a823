import pytest


@pytest.fixture
def dpo(db, center):
    from cskh.org.services import create_user

    return create_user(
        username="dpo01", password="Matkhau!2026", role="dpo", unit=center, first_name="Hà"
    )


@pytest.fixture
def pworld(world, dpo):
    """The fixture customer Nguyễn Văn An with a case, a note, a call with a recording link,
    a message in the outbox and a conversation; plus a second customer who must stay intact."""
    from django.utils import timezone

    from cskh.cases.models import Interaction
    from cskh.cases.services import add_note, open_case
    from cskh.catalog.services import get_case_type
    from cskh.customers.services import create_customer

    an = world["customer"]
    call = Interaction.objects.create(
        customer=an,
        from_address="+84901234567",
        to_address="1900",
        started_at=timezone.now(),
        recording_url="https://pbx.local/rec/1.wav",
        summary="Khách Nguyễn Văn An báo mất điện",
    )
    case = open_case(
        customer=an,
        case_type=get_case_type("outage"),
        description="Mất điện ở 12 Lê Lợi, gọi 0901234567",
        interaction=call,
    )
    add_note(case=case, body="Anh An hẹn gọi lại số 0901234567", actor=world["agent"])
    other = create_customer(
        full_name="Trần Thị Bình", phones=["0912 888 777"], address="45 Nguyễn Trãi"
    )
    other_case = open_case(
        customer=other, case_type=get_case_type("outage"), description="Mất điện khu vực"
    )
    return {
        **world,
        "dpo": dpo,
        "case": case,
        "call": call,
        "other": other,
        "other_case": other_case,
    }
