"""After-call work ends by itself after CSKH_ACW_SECONDS; outcome codes; break reasons (#21)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.telephony import services

pytestmark = pytest.mark.django_db


def test_after_call_work_returns_to_ready_after_the_setting(world, settings):
    from cskh.telephony.selectors import presence_state

    settings.CSKH_ACW_SECONDS = 60
    now = timezone.now()
    services.set_presence(user=world["agent"], state="after_call_work", now=now)
    assert services.end_expired_after_call_work(now=now + timedelta(seconds=59)) == 0
    assert presence_state(world["agent"]) == "after_call_work"
    assert services.end_expired_after_call_work(now=now + timedelta(seconds=61)) == 1
    assert presence_state(world["agent"]) == "available"
    settings.CSKH_ACW_SECONDS = 0
    services.set_presence(user=world["agent"], state="after_call_work", now=now)
    assert services.end_expired_after_call_work(now=now + timedelta(days=1)) == 0


def test_outcome_code_is_validated_and_only_for_ones_own_call(world):
    from cskh.cases.models import Interaction
    from cskh.org.services import create_user

    agent2 = create_user(username="tvv02", role="agent", unit=world["center"], extension="1002")
    body = services.handle_call_event(
        call_id="w-1", event="answered", from_number="0901234567", agent_extension="1001"
    )
    inter = Interaction.objects.get(pk=body["interaction"])
    with pytest.raises(DomainError):
        services.wrap_up_call(user=world["agent"], interaction=inter, outcome="nonsense")
    with pytest.raises(DomainError):
        services.wrap_up_call(user=agent2, interaction=inter, outcome="info")
    row = services.wrap_up_call(user=world["agent"], interaction=inter, outcome="callback")
    again = services.wrap_up_call(user=world["agent"], interaction=inter, outcome="resolved")
    assert row.pk == again.pk and again.outcome == "resolved"


def test_break_reason_is_checked(world):
    with pytest.raises(DomainError):
        services.set_presence(user=world["agent"], state="break", reason="nap")
    p = services.set_presence(user=world["agent"], state="break", reason="training")
    assert p.reason == "training"
    assert services.set_presence(user=world["agent"], state="available").reason == ""
