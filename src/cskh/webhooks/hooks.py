"""Reactions to other apps' hooks (settings.CSKH_HOOKS): each queues an event for the
subscriptions listening to it, inside the caller's transaction. With no subscriber an event
costs no query (the subscriber list is cached per process)."""

from __future__ import annotations

from typing import Any

from cskh.cases.models import Case
from cskh.conversations.models import Conversation, Message
from cskh.incidents.models import Incident
from cskh.webhooks import payloads, services
from cskh.webhooks.models import Event

# incident timeline entries that are not a change of the incident itself
_QUIET_INCIDENT_KINDS = frozenset({"notify", "cases"})


def _case_event(event: str, case: Case, change: dict[str, Any] | None) -> None:
    if not services.subscribers(event):
        return
    services.emit(event=event, data={"case": payloads.case_data(case), "change": change})


def on_case_opened(*, case: Case, **_kwargs: Any) -> None:
    _case_event(Event.CASE_OPENED, case, None)


def on_case_transitioned(*, case: Case, before: str, **_kwargs: Any) -> None:
    _case_event(Event.CASE_CHANGED, case, {"field": "status", "from": before, "to": case.status})


def on_case_assigned(*, case: Case, before: dict[str, Any], **_kwargs: Any) -> None:
    change = {
        "field": "assignment",
        "from": {"agent_id": before.get("agent"), "unit_id": before.get("unit")},
        "to": {"agent_id": case.assigned_agent_id, "unit_id": case.unit_id},
    }
    _case_event(Event.CASE_CHANGED, case, change)


def on_case_priority_changed(*, case: Case, before: int, **_kwargs: Any) -> None:
    _case_event(
        Event.CASE_CHANGED, case, {"field": "priority", "from": before, "to": case.priority}
    )


def on_incident_changed(
    *, incident: Incident, kind: str, data: dict[str, Any] | None = None, **_kwargs: Any
) -> None:
    if kind in _QUIET_INCIDENT_KINDS or not services.subscribers(Event.INCIDENT_CHANGED):
        return
    change: dict[str, Any] = {"kind": kind}
    if kind == "status" and data:
        change |= {"from": data.get("from"), "to": data.get("to")}
    services.emit(
        event=Event.INCIDENT_CHANGED,
        data={"incident": payloads.incident_data(incident), "change": change},
    )


def on_conversation_message(
    *, message: Message, conversation: Conversation, **_kwargs: Any
) -> None:
    if not services.subscribers(Event.CONVERSATION_MESSAGE):
        return
    services.emit(
        event=Event.CONVERSATION_MESSAGE,
        data={"message": payloads.message_data(message, conversation)},
    )
