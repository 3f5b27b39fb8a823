"""Helpers shared by the incident services: the timeline, the actor, permission, local time."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cskh.core.errors import Forbidden
from cskh.core.types import Actor
from cskh.incidents.models import Incident, IncidentEvent
from cskh.org import permissions


def user_or_none(actor: Any) -> Any:
    """The user to store on a row: None for the system and anonymous callers."""
    return actor if getattr(actor, "is_authenticated", False) else None


def local_time(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return date_format(timezone.localtime(dt), "H:i d/m/Y")


def record(
    incident: Incident,
    kind: str,
    *,
    actor: Actor = None,
    body: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentEvent:
    """Append one entry to the incident timeline."""
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        actor=user_or_none(actor),
        body=str(body),
        data=data or {},
        created_at=at or timezone.now(),
    )


def require_manage(actor: Actor, incident: Incident | None = None) -> None:
    if actor is not None and not permissions.can_manage_incident(actor, incident):
        raise Forbidden(_("Bạn không có quyền quản lý sự cố này."))
