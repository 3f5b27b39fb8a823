"""Helpers shared by the incident services: the timeline, the actor, permission, local time."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cskh.catalog import services as catalog
from cskh.core import hooks
from cskh.core.errors import Forbidden
from cskh.core.types import Actor
from cskh.geo.models import Ward
from cskh.incidents.models import Incident, IncidentEvent, Level
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
    """Append one entry to the incident timeline; fires ``incident_changed`` (kwargs incident,
    kind, data) for the listeners (outgoing webhooks)."""
    event = IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        actor=user_or_none(actor),
        body=str(body),
        data=data or {},
        created_at=at or timezone.now(),
    )
    hooks.run("incident_changed", incident=incident, kind=kind, data=event.data)
    return event


def require_manage(actor: Actor, incident: Incident | None = None) -> None:
    if actor is not None and not permissions.can_manage_incident(actor, incident):
        raise Forbidden(_("Bạn không có quyền quản lý sự cố này."))


def auto_where(level: str, code: str, ward_id: int | None) -> str:
    """Where an auto-detected incident is, in the profile's words ("trạm T1 (Phường Sơn Kỳ)")."""
    words = catalog.terms()
    labels: dict[str, str] = {
        Level.TRANSFORMER: words["network_transformer"],
        Level.FEEDER: words["network_feeder"],
        Level.WARD: "%(c)s",
    }
    where = labels.get(level, "%(c)s") % {"c": code}
    ward = Ward.objects.filter(pk=ward_id).only("name").first() if ward_id else None
    if level == Level.WARD and ward:
        where = ward.name
    elif ward:
        where = f"{where} ({ward.name})"
    return where


def auto_title(level: str, code: str, ward_id: int | None, *, confirmed: bool) -> str:
    """The title detection gives an incident: "Nghi …" until a lead confirms it."""
    words = catalog.terms()
    pattern = words["confirmed_title"] if confirmed else words["suspected_title"]
    return (pattern % {"w": auto_where(level, code, ward_id)})[:200]


def detected_scope(incident: Incident) -> tuple[str, str, int | None] | None:
    """(level, code, ward) an auto-detected incident was opened for, from its detect_key."""
    if not incident.detect_key or ":" not in incident.detect_key:
        return None
    level, code = incident.detect_key.split(":", 1)
    scope = incident.scopes.filter(level=level, code=code).only("ward_id").first()
    return level, code, scope.ward_id if scope else None


def confirmed_title(incident: Incident) -> str:
    """The title after confirmation: an auto "Nghi …" title loses its doubt; others stay."""
    found = detected_scope(incident)
    if found is None:
        return incident.title
    level, code, ward_id = found
    if incident.title != auto_title(level, code, ward_id, confirmed=False):
        return incident.title  # a lead renamed it: keep their words
    return auto_title(level, code, ward_id, confirmed=True)
