"""Call events from the PBX (CTI), agent presence and callback tasks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from uuid import uuid4

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.cases import services as case_services
from cskh.cases.models import Case, Interaction
from cskh.core import audit, live
from cskh.core.errors import DomainError, NotFound
from cskh.core.phones import to_e164
from cskh.customers.selectors import find_by_phone
from cskh.org.models import User
from cskh.telephony.models import (
    AgentPresence,
    BreakReason,
    CallbackTask,
    CallEvent,
    CallOutcome,
    CallWrapUp,
    Presence,
    ScheduledCallback,
)

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
    source=None,
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
                source=source if getattr(source, "is_authenticated", False) else None,
            )
    except IntegrityError:
        return {"duplicate": True, "call_id": call_id, "event": event}

    interaction = (
        Interaction.objects.select_for_update()
        .filter(external_id=call_id, channel="phone")
        .order_by("id")
        .first()
    )
    matches: list = []
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
            set_presence(user=agent, state=Presence.ON_CALL, interaction=interaction)
        if not matches and interaction.customer_id:
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


def _merge_callback(*, interaction: Interaction, agent, at: datetime) -> CallbackTask:
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
def complete_callback(*, task: CallbackTask, actor, note: str = "") -> CallbackTask:
    task = CallbackTask.objects.select_for_update().get(pk=task.pk)
    if task.status == CallbackTask.Status.DONE:
        return task
    task.status = CallbackTask.Status.DONE
    task.done_by = actor
    task.done_at = timezone.now()
    task.note = (note or "")[:500]
    task.save()
    audit.record(actor=actor, action="callback.done", obj=task, changes={"note": task.note})
    return task


# --------------------------------------------------------------------------- presence


def _presence_state(user) -> str:
    row = AgentPresence.objects.filter(user=user).values_list("state", flat=True).first()
    return row or Presence.OFFLINE


@transaction.atomic
def set_presence(
    *,
    user,
    state: str,
    interaction: Interaction | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> AgentPresence:
    """Change an agent's presence. ``reason``: why on break (BreakReason), nothing else."""
    if state not in Presence.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": state}, code="bad_presence")
    reason = (reason or "").strip() if state == Presence.BREAK else ""
    if reason and reason not in BreakReason.values:
        raise DomainError(
            _("Lý do tạm nghỉ không hợp lệ: %(r)s") % {"r": reason}, code="bad_break_reason"
        )
    now = now or timezone.now()
    presence, created = AgentPresence.objects.select_for_update().get_or_create(
        user=user,
        defaults={"state": state, "since": now, "interaction": interaction, "reason": reason},
    )
    if not created:
        changed = presence.state != state or presence.reason != reason
        if presence.state != state:
            presence.since = now
        presence.state = state
        presence.reason = reason
        if interaction is not None or state in (Presence.AVAILABLE, Presence.OFFLINE):
            presence.interaction = interaction
        presence.save()
        if not changed:
            return presence
    label = str(Presence(state).label)
    if reason:
        label = f"{label} ({BreakReason(reason).label})"
    payload = {
        "type": "presence",
        "user": user.pk,
        "state": state,
        "reason": reason,
        "label": label,
        "since": presence.since.isoformat(),
    }
    live.publish(live.agent_channel(user), payload)
    live.publish("presence", payload)
    return presence


# --------------------------------------------------------------------------- wrap-up


def acw_seconds() -> int:
    from django.conf import settings

    return int(settings.CSKH_ACW_SECONDS)


@transaction.atomic
def wrap_up_call(
    *, user, interaction: Interaction, outcome: str, note: str = "", now: datetime | None = None
) -> CallWrapUp:
    """The agent closes their after-call work: the call's outcome code (and a note), then
    the agent is ready again. Choosing again changes the outcome (one row per call)."""
    if outcome not in CallOutcome.values:
        raise DomainError(_("Chọn kết quả cuộc gọi hợp lệ."), code="bad_outcome")
    if interaction.agent_id != user.pk:
        raise NotFound(_("Không tìm thấy cuộc gọi."), code="not_found")
    now = now or timezone.now()
    wrap_seconds = (
        max(0, int((now - interaction.ended_at).total_seconds())) if interaction.ended_at else None
    )
    row, created = CallWrapUp.objects.select_for_update().get_or_create(
        interaction=interaction,
        defaults={
            "agent": user,
            "outcome": outcome,
            "note": (note or "")[:500],
            "wrap_seconds": wrap_seconds,
            "at": now,
        },
    )
    if not created:
        row.outcome = outcome
        row.note = (note or "")[:500]
        row.save(update_fields=["outcome", "note"])
    if _presence_state(user) == Presence.AFTER_CALL_WORK:
        set_presence(user=user, state=Presence.AVAILABLE, now=now)
    return row


def end_expired_after_call_work(*, now: datetime | None = None, limit: int = 500) -> int:
    """Agents in after-call work longer than CSKH_ACW_SECONDS become ready again (0: never)."""
    from datetime import timedelta

    seconds = acw_seconds()
    if seconds <= 0:
        return 0
    now = now or timezone.now()
    users = list(
        AgentPresence.objects.filter(
            state=Presence.AFTER_CALL_WORK, since__lte=now - timedelta(seconds=seconds)
        )
        .select_related("user")
        .order_by("since")[:limit]
    )
    done = 0
    for p in users:
        with transaction.atomic():
            current = AgentPresence.objects.select_for_update().get(pk=p.pk)
            if current.state != Presence.AFTER_CALL_WORK or current.since != p.since:
                continue  # the agent moved on meanwhile
            set_presence(user=p.user, state=Presence.AVAILABLE, now=now)
            done += 1
    return done


# --------------------------------------------------------------------------- callbacks, dialling

CALLBACK_MAX_DAYS = 30


@transaction.atomic
def schedule_callback(
    *,
    actor,
    customer,
    due_at: datetime,
    phone: str = "",
    note: str = "",
    now: datetime | None = None,
) -> ScheduledCallback:
    """A callback at the time the customer chose (not in the past, within 30 days), owned by
    the agent who promised it. ``phone``: the number to call (default: the customer's first)."""
    from datetime import timedelta

    now = now or timezone.now()
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at < now - timedelta(minutes=1):
        raise DomainError(_("Giờ hẹn gọi lại đã qua."), code="callback_in_past")
    if due_at > now + timedelta(days=CALLBACK_MAX_DAYS):
        raise DomainError(
            _("Chỉ hẹn gọi lại trong vòng %(d)s ngày.") % {"d": CALLBACK_MAX_DAYS},
            code="callback_too_far",
        )
    number = to_e164(phone) if phone else ""
    if not number:
        first = customer.phones.order_by("id").first()
        if first is None:
            raise DomainError(_("Khách hàng chưa có số điện thoại."), code="no_phone")
        number = first.e164
    row = ScheduledCallback.objects.create(
        customer=customer, phone=number, due_at=due_at, note=(note or "")[:500], agent=actor
    )
    audit.record(
        actor=actor,
        action="callback.scheduled",
        obj=row,
        changes={"due_at": due_at.isoformat(), "phone": number},
    )
    return row


@transaction.atomic
def finish_scheduled_callback(
    *, callback: ScheduledCallback, actor, cancelled: bool = False
) -> ScheduledCallback:
    row = ScheduledCallback.objects.select_for_update().get(pk=callback.pk)
    if row.agent_id != actor.pk:
        raise NotFound(_("Không tìm thấy lịch hẹn gọi lại."))
    if row.status != ScheduledCallback.Status.SCHEDULED:
        return row
    row.status = ScheduledCallback.Status.CANCELLED if cancelled else ScheduledCallback.Status.DONE
    row.done_at = timezone.now()
    row.save(update_fields=["status", "done_at"])
    return row


def remind_due_callbacks(*, now: datetime | None = None, limit: int = 500) -> int:
    """Tell each agent on the desk about their callbacks due within
    CSKH_CALLBACK_REMIND_MINUTES (once per callback). Returns how many were sent."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    horizon = now + timedelta(minutes=settings.CSKH_CALLBACK_REMIND_MINUTES)
    rows = list(
        ScheduledCallback.objects.filter(
            status=ScheduledCallback.Status.SCHEDULED, reminded_at__isnull=True, due_at__lte=horizon
        )
        .select_related("customer")
        .order_by("due_at")[:limit]
    )
    sent = 0
    for row in rows:
        with transaction.atomic():
            if not ScheduledCallback.objects.filter(pk=row.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another worker reminded it
            live.publish(
                live.agent_channel(row.agent_id),
                {
                    "type": "callback_due",
                    "callback": row.pk,
                    "customer": row.customer_id,
                    "name": row.customer.full_name,
                    "phone": row.phone,
                    "due_at": row.due_at.isoformat(),
                    "note": row.note,
                },
            )
            sent += 1
    return sent


def click_to_call(*, user, number: str, customer=None) -> str:
    """Ask the PBX to ring the agent's extension and dial ``number``. Returns the PBX call id
    (its call events then arrive as usual). Raises DomainError with a message for the agent."""
    from cskh.telephony.pbx import PbxError, get_adapter

    if not user.extension:
        raise DomainError(
            _("Tài khoản của bạn chưa có máy lẻ, không gọi ra được."), code="no_extension"
        )
    to = to_e164(number)
    reference = f"c2c-{user.pk}-{uuid4().hex[:12]}"
    try:
        call_id = get_adapter().originate(extension=user.extension, to=to, reference=reference)
    except PbxError as exc:
        log.warning("click-to-call failed: %s", exc)
        raise DomainError(
            _("Tổng đài không nhận lệnh gọi, vui lòng gọi bằng tay."), status=502, code="pbx_error"
        ) from exc
    audit.record(
        actor=user,
        action="telephony.click_to_call",
        obj=customer if customer is not None else user,
        changes={"to": to, "call_id": call_id, "reference": reference},
    )
    return call_id
