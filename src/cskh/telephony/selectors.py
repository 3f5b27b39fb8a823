from typing import Any

from django.db.models import QuerySet

from cskh.org.models import User
from cskh.org.permissions import CALL_TAKER_ROLES
from cskh.telephony.models import (
    AgentPresence,
    BreakReason,
    CallbackTask,
    Presence,
    ScheduledCallback,
)


def presence_of(user: User) -> AgentPresence | None:
    return AgentPresence.objects.filter(user=user).select_related("interaction").first()


def presence_state(user: User) -> str:
    p = AgentPresence.objects.filter(user=user).values_list("state", flat=True).first()
    return p or Presence.OFFLINE


def presence_label(p: AgentPresence | None) -> str:
    """'Tạm nghỉ (Ăn ca)', 'Sẵn sàng', … ('Ngoại tuyến' when never set)."""
    if p is None:
        return str(Presence.OFFLINE.label)
    label = str(Presence(p.state).label)
    if p.state == Presence.BREAK and p.reason:
        label = f"{label} ({BreakReason(p.reason).label})"
    return label


def team_presence(unit_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """Center staff who take calls, with their presence (offline when never set)."""
    qs = User.objects.filter(is_active=True, role__in=CALL_TAKER_ROLES).select_related(
        "presence", "unit"
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows = []
    for u in qs.order_by("username")[:500]:
        p = getattr(u, "presence", None)
        rows.append(
            {
                "user": u,
                "state": p.state if p else Presence.OFFLINE,
                "label": presence_label(p),
                "since": p.since if p else None,
            }
        )
    return rows


def open_callbacks() -> QuerySet[CallbackTask]:
    return CallbackTask.objects.filter(status=CallbackTask.Status.OPEN).select_related(
        "customer", "unit"
    )


def scheduled_callbacks(user: User, *, limit: int = 10) -> list[ScheduledCallback]:
    """The agent's callbacks still to make, soonest first."""
    return list(
        ScheduledCallback.objects.filter(agent=user, status=ScheduledCallback.Status.SCHEDULED)
        .select_related("customer")
        .order_by("due_at", "id")[:limit]
    )


def export_for_customer(customer_id: int) -> dict[str, Any]:
    """Missed-call tasks and scheduled callbacks of the customer (access request); the calls
    themselves are the cases app's interactions."""
    return {
        "missed_call_tasks": [
            {
                "from": t.from_e164,
                "count": t.count,
                "first_missed_at": t.first_missed_at.isoformat(),
                "status": t.status,
                "note": t.note,
            }
            for t in CallbackTask.objects.filter(customer_id=customer_id).order_by("id")
        ],
        "scheduled_callbacks": [
            {
                "phone": c.phone,
                "due_at": c.due_at.isoformat(),
                "status": c.status,
                "note": c.note,
            }
            for c in ScheduledCallback.objects.filter(customer_id=customer_id).order_by("id")
        ],
    }
