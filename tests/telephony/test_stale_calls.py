"""Calls the PBX never ends are closed by the telephony tick (#21): the agent leaves "on call",
the case timeline says the call was closed by the system, fresh calls are left alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.telephony import services

pytestmark = pytest.mark.django_db


def event(call_id, kind, at, **kw):
    return services.handle_call_event(
        call_id=call_id,
        event=kind,
        from_number="0901234567",
        agent_extension="1001",
        at=at,
        **kw,
    )


def test_answered_call_without_end_times_out_and_agent_is_freed(world, settings):
    from cskh.cases.models import CaseEvent, Interaction
    from cskh.desk.services import log_case_from_call
    from cskh.telephony.selectors import presence_state

    settings.CSKH_CALL_TIMEOUT_SECONDS = 3600
    now = timezone.now()
    started = now - timedelta(seconds=3700)
    body = event("stale-1", "ringing", started)
    event("stale-1", "answered", started + timedelta(seconds=5))
    inter = Interaction.objects.get(pk=body["interaction"])
    case = log_case_from_call(
        actor=world["agent"],
        customer=world["customer"],
        type_code="outage",
        description="Mất điện",
        interaction=inter,
    )
    assert presence_state(world["agent"]) == "on_call"
    fresh = event("fresh-1", "answered", now - timedelta(seconds=60))

    assert services.close_stale_calls(now=now) == 1

    inter.refresh_from_db()
    assert inter.state == "ended" and inter.ended_at == now
    assert Interaction.objects.get(pk=fresh["interaction"]).ended_at is None
    ev = CaseEvent.objects.get(case=case, kind="interaction")
    assert ev.data["timed_out"] is True
    # the agent's presence pointed at the fresh call: it is left on call
    assert presence_state(world["agent"]) == "on_call"
    assert services.close_stale_calls(now=now) == 0  # idempotent


def test_ringing_call_never_answered_becomes_missed_and_frees_the_agent(world, settings):
    from cskh.cases.models import Interaction
    from cskh.telephony.selectors import presence_state
    from cskh.telephony.services import set_presence

    settings.CSKH_CALL_RING_TIMEOUT_SECONDS = 120
    now = timezone.now()
    body = event("stale-ring", "ringing", now - timedelta(seconds=121))
    set_presence(user=world["agent"], state="on_call")
    assert services.close_stale_calls(now=now) == 1
    inter = Interaction.objects.get(pk=body["interaction"])
    assert inter.state == "missed"
    assert presence_state(world["agent"]) == "available"


def test_the_periodic_job_runs_the_tick():
    from cskh.scheduler.jobs import JOBS

    job = next(j for j in JOBS if j.name == "telephony_tick")
    assert job.task == "cskh.telephony.tasks.tick"


def test_timed_out_call_is_said_on_the_case_page(world, client, settings):
    from cskh.desk.services import log_case_from_call

    now = timezone.now()
    started = now - timedelta(seconds=settings.CSKH_CALL_TIMEOUT_SECONDS + 10)
    body = event("stale-page", "answered", started)
    from cskh.cases.models import Interaction

    case = log_case_from_call(
        actor=world["agent"],
        customer=world["customer"],
        type_code="outage",
        description="Mất điện",
        interaction=Interaction.objects.get(pk=body["interaction"]),
    )
    services.close_stale_calls(now=now)
    client.force_login(world["agent"])
    html = client.get(f"/desk/cases/{case.number}/").content.decode()
    assert "data-timed-out" in html
    assert "tổng đài không báo kết thúc" in html
