"""Writer of reference and configuration rows that have no workflow of their own (catalog, SLA
escalation ladders, incident thresholds, message templates, units, users' desk settings):
the admin is their editor, and every save or delete leaves an audit row in the same
transaction. Rows with a workflow (customers, cases, tokens, work orders, …) go through their
app's services instead."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction

from cskh.core import audit
from cskh.core.types import Actor


def _action(obj: models.Model, verb: str) -> str:
    return f"{obj._meta.model_name}.{verb}"


@transaction.atomic
def save(*, obj: models.Model, actor: Actor, created: bool, fields: Iterable[str] = ()) -> None:
    """Save `obj`; the audit row names the changed fields (never their values: passwords)."""
    obj.save()
    audit.record(
        actor=actor,
        action=_action(obj, "create" if created else "update"),
        obj=obj,
        changes={"fields": sorted(fields)},
    )


@transaction.atomic
def delete(*, obj: models.Model, actor: Actor) -> None:
    audit.record(actor=actor, action=_action(obj, "delete"), obj=obj, changes={"repr": str(obj)})
    obj.delete()
