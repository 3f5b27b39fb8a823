"""The ``data`` of each event: stable shapes, documented in docs/webhooks.md.

Personal data is kept to ids: no customer name, phone, e-mail, address, case description or
message text. An integrator that needs more reads it through the API with its own token (and
that read is then in the customer's access log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cskh.cases.models import Case
from cskh.conversations.models import Conversation, Message
from cskh.incidents.models import Incident


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_data(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "is_open": case.is_open,
        "priority": case.priority,
        "channel": case.channel,
        "case_type": case.case_type.code if case.case_type is not None else None,
        "unit": case.unit.code if case.unit is not None else None,
        "customer_id": case.customer_id,
        "assigned_agent_id": case.assigned_agent_id,
        "created_at": _iso(case.created_at),
        "first_response_due_at": _iso(case.first_response_due_at),
        "due_at": _iso(case.due_at),
        "resolved_at": _iso(case.resolved_at),
    }


def incident_data(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "status": incident.status,
        "title": incident.title,
        "level": incident.level,
        "unit": incident.unit.code if incident.unit is not None else None,
        "public_message": incident.public_message,
        "started_at": _iso(incident.started_at),
        "eta": _iso(incident.eta),
        "ends_at": _iso(incident.ends_at),
        "resolved_at": _iso(incident.resolved_at),
        "merged_into_id": incident.merged_into_id,
    }


def message_data(message: Message, conversation: Conversation) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation_id": conversation.pk,
        "channel": message.channel,
        "direction": message.direction,
        "kind": message.kind,
        "status": message.status,
        "customer_id": conversation.customer_id,
        "case_number": conversation.case.number if conversation.case is not None else None,
        "author_id": message.author_id,
        "sent_at": _iso(message.sent_at),
    }
