"""Audit trail of who changed what. Called from services, never from views."""

import contextvars
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from cskh.core.models import AuditLog
from cskh.core.types import Actor

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("ip", default=None)


def set_request_ip(ip: str | None) -> None:
    _request_ip.set(ip)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(
    *, actor: Actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditLog:
    user = actor if isinstance(actor, get_user_model()) and actor.is_authenticated else None
    return AuditLog.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=_json_safe(changes or {}),
        ip=_request_ip.get(),
    )


def diff(instance: models.Model, fields: list[str], before: dict[str, Any]) -> dict[str, list[Any]]:
    out = {}
    for f in fields:
        new = getattr(instance, f)
        if before.get(f) != new:
            out[f] = [before.get(f), new]
    return out


def erase_changes(*, object_type: str, object_ids: list[str]) -> int:
    """Erasure of a person: the audit rows about these objects keep who did what and when,
    but lose the values recorded (names, phones, texts). Returns the rows touched."""
    return (
        AuditLog.objects.filter(object_type=object_type, object_id__in=object_ids)
        .exclude(changes={})
        .update(changes={})
    )


def purge(*, before: Any) -> int:
    """Retention of the audit trail: rows older than ``before`` are deleted."""
    return AuditLog.objects.filter(at__lt=before).delete()[0]
