"""Agent presence (ready, on call, after-call work, break with a reason) and the call
wrap-up (outcome code; after-call work that ends by itself)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.cases.models import Interaction
from cskh.core import hooks, live
from cskh.core.errors import DomainError, NotFound
from cskh.org.models import User
from cskh.telephony.models import (
    AgentPresence,
    BreakReason,
    CallOutcome,
    CallWrapUp,
    Presence,
)

log = logging.getLogger("cskh.telephony")


def _presence_state(user: User) -> str:
    row = AgentPresence.objects.filter(user=user).values_list("state", flat=True).first()
    return row or Presence.OFFLINE


@transaction.atomic
def set_presence(
    *,
    user: User,
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
    hooks.run("presence_changed", user=user, state=state, at=now)
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
    *,
    user: User,
    interaction: Interaction,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
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
