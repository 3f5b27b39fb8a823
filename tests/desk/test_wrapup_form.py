"""The wrap-up form also works as a plain form (before HTMX takes it over) (#21)."""

import pytest
from django.contrib.messages import get_messages

from cskh.telephony import services

pytestmark = pytest.mark.django_db


def _ended_call(call_id: str) -> int:
    services.handle_call_event(
        call_id=call_id, event="answered", from_number="0901234567", agent_extension="1001"
    )
    body = services.handle_call_event(
        call_id=call_id, event="ended", from_number="0901234567", agent_extension="1001"
    )
    return int(body["interaction"])


def test_plain_post_saves_the_outcome_and_returns_to_the_desk(world, client):
    from cskh.telephony.models import CallWrapUp
    from cskh.telephony.selectors import presence_state

    interaction = _ended_call("plain-1")
    client.force_login(world["agent"])
    response = client.post("/desk/wrapup", {"interaction": interaction, "outcome": "info"})
    assert response.status_code == 302 and response.url == "/desk/"
    assert [m.extra_tags for m in get_messages(response.wsgi_request)] == ["wrapped"]
    assert CallWrapUp.objects.get(interaction_id=interaction).outcome == "info"
    assert presence_state(world["agent"]) == "available"
    page = client.get("/desk/")
    assert page.status_code == 200
    assert b"data-wrapped" in page.content


def test_plain_post_with_a_bad_outcome_keeps_the_form_and_says_why(world, client):
    from cskh.telephony.models import CallWrapUp

    interaction = _ended_call("plain-2")
    client.force_login(world["agent"])
    response = client.post(
        "/desk/wrapup", {"interaction": interaction, "outcome": "nonsense"}, follow=True
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not CallWrapUp.objects.filter(interaction_id=interaction).exists()
    # the agent is still in after-call work, so the form is there to try again
    assert b'name="outcome"' in response.content


def test_htmx_post_answers_with_the_partial(world, client):
    interaction = _ended_call("plain-3")
    client.force_login(world["agent"])
    response = client.post(
        "/desk/wrapup",
        {"interaction": interaction, "outcome": "info"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and b"data-wrapped" in response.content
