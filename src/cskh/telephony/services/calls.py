"""Call events from the PBX (CTI): interactions, screen pops, missed-call tasks, calls the
PBX never ended."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.cases import services as case_services
from cskh.cases.models import Case, Interaction
from cskh.core import audit, hooks, live
from cskh.core.errors import DomainError, NotFound
from cskh.core.phones import to_e164
from cskh.core.types import Actor
from cskh.customers.models import Customer
from cskh.customers.selectors import find_by_phone
from cskh.org.models import User
from cskh.telephony.models import (
    AgentPresence,
    CallbackTask,
    CallEvent,
    Presence,
)
from cskh.telephony.services.presence import _presence_state, set_presence

log = logging.getLogger("cskh.telephony")

EVENTS = tuple(CallEvent.Kind.values)


def resolve_agent(*, extension: str | None = None, username: str | None = None) -> User | None:
    """The agent named by the PBX; None when neither is given; NotFound when unknown."""
    extension = (extension or "").strip()
    username = (username or "").strip()
    if not extension and not username:
        return None
    qs = User.objects.filter(is_active=True).select_related("unit")
    user = (
        qs.filter(extension=extension).order_by("id").first()
        if extension
        else qs.filter(username=username).first()
    )
    if user is None:
        raise NotFound(
            _("Không tìm thấy tư vấn viên (máy lẻ/tên đăng nhập): %(a)s")
            % {"a": extension or username},
            code="unknown_agent",
        )
    return user


@transaction.atomic
def handle_call_event(
    *,
    call_id: str,
    event: str,
    from_number: str,
    to_number: str = "",
    agent_extension: str | None = None,
    agent_username: str | None = None,
    at: datetime | None = None,
    recording_url: str = "",
    source: Actor = None,
) -> dict[str, Any]:
    """Apply one PBX event. Idempotent on (call_id, event): a replay changes nothing and
    returns {"duplicate": True}. Raises DomainError (4xx) for bad events."""
    call_id = (call_id or "").strip()
    if not call_id or len(call_id) > 100:
        raise DomainError(_("Thiếu hoặc sai call_id."), code="bad_call_id")
    if event not in EVENTS:
        raise DomainError(
            _("Sự kiện không hợp lệ: %(e)s (ringing, answered, ended, missed).") % {"e": event},
            code="bad_event",
        )
    recording_url = (recording_url or "").strip()
    if recording_url and not recording_url.lower().startswith(("https://", "http://")):
        # shown to agents as a link and a player: only web addresses, never javascript: etc.
        raise DomainError(_("recording_url phải là địa chỉ http(s)."), code="bad_recording_url")
    from_e164 = to_e164(from_number)
    agent = resolve_agent(extension=agent_extension, username=agent_username)
    if agent is None and event in (CallEvent.Kind.RINGING, CallEvent.Kind.ANSWERED):
        raise DomainError(
            _("Sự kiện %(e)s cần agent_extension hoặc agent_username.") % {"e": event},
            code="missing_agent",
        )
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    seen = CallEvent.objects.filter(call_id=call_id, event=event).values("interaction_id").first()
    if seen is not None:
        return {
            "duplicate": True,
            "call_id": call_id,
            "event": event,
            "interaction": seen["interaction_id"],
        }
    try:
        with transaction.atomic():
            record = CallEvent.objects.create(
                call_id=call_id,
                event=event,
                at=at,
                from_e164=from_e164,
                to_number=(to_number or "")[:40],
                agent=agent,
                source=source if isinstance(source, User) else None,
            )
    except IntegrityError:
        return {"duplicate": True, "call_id": call_id, "event": event}

    interaction = (
        Interaction.objects.select_for_update()
        .filter(external_id=call_id, channel="phone")
        .order_by("id")
        .first()
    )
    matches: list[Customer] = []
    if interaction is None:
        matches = find_by_phone(from_e164)
        interaction = case_services.record_interaction(
            customer=matches[0] if len(matches) == 1 else None,
            agent=agent,
            external_id=call_id,
            from_address=from_e164,
            to_address=(to_number or "")[:100],
            started_at=at,
        )
    elif agent is not None and interaction.agent_id != agent.pk:
        interaction.agent = agent  # transferred to another agent
        interaction.save(update_fields=["agent"])
    agent = agent or interaction.agent
    result = {"duplicate": False, "call_id": call_id, "event": event, "interaction": interaction.pk}

    if event in (CallEvent.Kind.RINGING, CallEvent.Kind.ANSWERED):
        if event == CallEvent.Kind.ANSWERED:
            interaction.answered_at = at
            interaction.state = Interaction.State.ACTIVE
            interaction.save(update_fields=["answered_at", "state"])
            if agent is not None:  # always: answered events name their agent (checked above)
                set_presence(user=agent, state=Presence.ON_CALL, interaction=interaction)
        if not matches and interaction.customer is not None:
            matches = [interaction.customer]
        elif not matches:
            matches = find_by_phone(from_e164)
        result["customers"] = [c.pk for c in matches]
        live.publish(
            live.agent_channel(agent),
            {
                "type": "pop",
                "event": event,
                "interaction": interaction.pk,
                "call_id": call_id,
                "from": from_e164,
                "customers": [c.pk for c in matches],
                "sent": timezone.now().timestamp(),
            },
        )
    elif event == CallEvent.Kind.ENDED:
        if interaction.ended_at is None:
            _link_cases_logged_during(interaction, until=at)
            interaction = case_services.end_interaction(
                interaction=interaction, ended_at=at, recording_url=recording_url or ""
            )
        elif recording_url:
            interaction.recording_url = recording_url
            interaction.save(update_fields=["recording_url"])
        result["duration_seconds"] = interaction.duration_seconds
        result["cases"] = list(interaction.cases.values_list("number", flat=True))
        if agent is not None:
            set_presence(user=agent, state=Presence.AFTER_CALL_WORK, interaction=interaction)
            live.publish(
                live.agent_channel(agent),
                {
                    "type": "call_ended",
                    "interaction": interaction.pk,
                    "duration": interaction.duration_seconds,
                },
            )
    elif event == CallEvent.Kind.MISSED:
        interaction.state = Interaction.State.MISSED
        interaction.ended_at = interaction.ended_at or at
        interaction.duration_seconds = 0
        interaction.save(update_fields=["state", "ended_at", "duration_seconds"])
        task = _merge_callback(interaction=interaction, agent=agent, at=at)
        result["callback"] = task.pk
        result["callback_count"] = task.count
        if agent is not None and _presence_state(agent) == Presence.ON_CALL:
            set_presence(user=agent, state=Presence.AVAILABLE)
    record.interaction = interaction
    record.save(update_fields=["interaction"])
    hooks.run("call_event", interaction=interaction, event=event, agent=agent)
    return result


def stale_before(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(ringing started before, answered started before): calls older are stale."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    return (
        now - timedelta(seconds=settings.CSKH_CALL_RING_TIMEOUT_SECONDS),
        now - timedelta(seconds=settings.CSKH_CALL_TIMEOUT_SECONDS),
    )


def close_stale_calls(*, now: datetime | None = None, limit: int = 500) -> int:
    """Close phone calls the PBX never ended: ringing past the ring timeout (missed) or
    answered past the call timeout (ended, marked timed out on the case timeline). The agent
    who is still "on call" with such a call is made available and told. Returns how many."""
    from django.db.models import Q

    now = now or timezone.now()
    ring_before, call_before = stale_before(now)
    ids = list(
        Interaction.objects.filter(channel="phone", ended_at__isnull=True)
        .filter(
            Q(state=Interaction.State.RINGING, started_at__lt=ring_before)
            | Q(state=Interaction.State.ACTIVE, started_at__lt=call_before)
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            interaction = (
                Interaction.objects.select_for_update().filter(pk=pk, ended_at__isnull=True).first()
            )
            if interaction is None:
                continue  # the PBX's end arrived meanwhile
            interaction = case_services.end_interaction(
                interaction=interaction, ended_at=now, timed_out=True
            )
            closed += 1
            agent = interaction.agent
            if agent is None:
                continue
            presence = AgentPresence.objects.filter(user=agent).first()
            if (
                presence is not None
                and presence.state == Presence.ON_CALL
                and (presence.interaction_id in (None, interaction.pk))
            ):
                set_presence(user=agent, state=Presence.AVAILABLE)
            live.publish(
                live.agent_channel(agent),
                {
                    "type": "call_ended",
                    "interaction": interaction.pk,
                    "duration": interaction.duration_seconds,
                    "timed_out": True,
                },
            )
    if closed:
        log.info("closed %s call(s) the PBX never ended", closed)
    return closed


def _link_cases_logged_during(interaction: Interaction, *, until: datetime) -> None:
    """Cases the agent logged for this customer while the call lasted, not yet linked."""
    if not interaction.agent_id or not interaction.customer_id:
        return
    qs = Case.objects.filter(
        created_by_id=interaction.agent_id,
        customer_id=interaction.customer_id,
        created_at__gte=interaction.started_at,
        created_at__lte=until,
    ).exclude(interactions=interaction)
    for case in qs[:20]:
        interaction.cases.add(case)


def _merge_callback(*, interaction: Interaction, agent: User | None, at: datetime) -> CallbackTask:
    from cskh.org.selectors import default_unit

    day = timezone.localdate(at)
    unit = (agent.unit if agent is not None and agent.unit_id else None) or default_unit()
    customer_id = interaction.customer_id
    task = (
        CallbackTask.objects.select_for_update()
        .filter(from_e164=interaction.from_address, day=day)
        .first()
    )
    if task is None:
        try:
            with transaction.atomic():
                return CallbackTask.objects.create(
                    from_e164=interaction.from_address,
                    day=day,
                    unit=unit,
                    customer_id=customer_id,
                    first_missed_at=at,
                    last_missed_at=at,
                    last_interaction=interaction,
                )
        except IntegrityError:
            task = CallbackTask.objects.select_for_update().get(
                from_e164=interaction.from_address, day=day
            )
    task.count += 1
    task.last_missed_at = max(task.last_missed_at, at)
    task.first_missed_at = min(task.first_missed_at, at)
    task.last_interaction = interaction
    task.customer_id = task.customer_id or customer_id
    if task.status == CallbackTask.Status.DONE:
        task.status = CallbackTask.Status.OPEN  # called again after we called back
        task.done_at = None
        task.done_by = None
    task.save()
    return task


@transaction.atomic
def complete_callback(*, task: CallbackTask, actor: Actor, note: str = "") -> CallbackTask:
    task = CallbackTask.objects.select_for_update().get(pk=task.pk)
    if task.status == CallbackTask.Status.DONE:
        return task
    task.status = CallbackTask.Status.DONE
    task.done_by = actor if isinstance(actor, User) else None
    task.done_at = timezone.now()
    task.note = (note or "")[:500]
    task.save()
    audit.record(actor=actor, action="callback.done", obj=task, changes={"note": task.note})
    return task
