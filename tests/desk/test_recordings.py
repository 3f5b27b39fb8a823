"""Call recordings on the case page (timeline and list) and on the card (#21)."""

import pytest

from cskh.telephony import services

pytestmark = pytest.mark.django_db


def test_recording_is_on_the_case_timeline_and_the_card(world, client):
    from cskh.cases.models import Interaction
    from cskh.desk.services import log_case_from_call

    body = services.handle_call_event(
        call_id="rec-1", event="answered", from_number="0901234567", agent_extension="1001"
    )
    case = log_case_from_call(
        actor=world["agent"],
        customer=world["customer"],
        type_code="outage",
        description="Mất điện",
        interaction=Interaction.objects.get(pk=body["interaction"]),
    )
    url = "https://pbx.example.vn/rec/rec-1.mp3"
    services.handle_call_event(
        call_id="rec-1", event="ended", from_number="0901234567", recording_url=url
    )
    client.force_login(world["agent"])
    html = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert f'<audio controls preload="none" src="{url}">' in html
    assert "data-recording-link" in html  # on the call's timeline entry
    card = client.get(f"/desk/?customer={world['customer'].pk}").content.decode()
    assert f'href="{url}"' in card and "Nghe ghi âm" in card


def test_a_recording_address_that_is_not_http_is_refused(world):
    from cskh.core.errors import DomainError

    with pytest.raises(DomainError):
        services.handle_call_event(
            call_id="rec-2",
            event="ended",
            from_number="0901234567",
            agent_extension="1001",
            recording_url="javascript:alert(1)",
        )
