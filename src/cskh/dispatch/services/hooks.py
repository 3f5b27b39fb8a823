"""Reactions to the cases app (settings.CSKH_HOOKS).

Auto-dispatch (settings.CSKH_DISPATCH_AUTO) runs after the case's transaction commits, with ids
only: by then every case_opened hook has run, so whether the incidents app linked the case is
a plain question to cskh.incidents.selectors (no dependence on the hook order), and the cases
app is not re-entered (assign, transition) from inside its own open_case. It is a direct call,
not a task: the agent who opened the case sees its work order on the page they land on.
"""

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from cskh.cases.models import Case
from cskh.cases.states import Status
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.dispatch import states
from cskh.dispatch.models import WorkOrder
from cskh.dispatch.services.center import dispatch_case, responsible_unit
from cskh.dispatch.services.common import close
from cskh.incidents import selectors as incident_selectors

log = logging.getLogger("cskh.dispatch")


def _auto_types() -> set[str] | None:
    """None: off; empty set: every field case type; else these case type codes."""
    mode = str(settings.CSKH_DISPATCH_AUTO or "off").strip().lower()
    if mode in {"off", "0", "false", "no", ""}:
        return None
    if mode in {"field", "all", "1", "true", "yes", "on"}:
        return set()
    return {c.strip() for c in mode.split(",") if c.strip()}


def on_case_opened(
    *, case: Case, actor: Actor = None, resolved_on_call: bool = False, **_kw: object
) -> None:
    """Hook (case_opened): schedule auto-dispatch of a field case for after the commit.

    Skipped here for cases resolved during the call and case types not auto-dispatched."""
    types = _auto_types()
    if types is None or resolved_on_call:
        return
    case_type = case.case_type
    if case_type.handler_unit_kind != "field" or (types and case_type.code not in types):
        return
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    transaction.on_commit(partial(auto_dispatch, case.pk, actor_id), robust=True)


def auto_dispatch(case_id: int, actor_id: int | None = None) -> WorkOrder | None:
    """Dispatch an open field case to its unit, in its own transaction (after the case's).

    Idempotent: a case with an active work order is left alone. Skipped for closed cases,
    cases linked to an incident (the incident's crew handles them; the desk can still
    dispatch explicitly) and cases with no field unit. A refusal is logged, never raised:
    the case is already saved."""
    case = (
        Case.objects.select_related(
            "customer__ward__province", "service_point__ward__province", "case_type", "unit"
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None or not case.is_open:
        return None
    if WorkOrder.objects.filter(case_id=case.pk, is_active=True).exists():
        return None
    if case.case_type.groups_incidents and incident_selectors.is_case_linked(case.pk):
        return None
    unit = responsible_unit(case)
    if unit is None:
        return None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return dispatch_case(case=case, actor=actor, unit=unit, check_permission=False)
    except DomainError as exc:
        log.warning("auto-dispatch of case %s skipped: %s", case.pk, exc)
        return None


def on_case_transitioned(*, case: Case, before: str, actor: Actor = None, **_kw: object) -> None:
    """Hook (case_transitioned): a case resolved or closed elsewhere withdraws its work order."""
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        return
    wo = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("case__customer", "case__case_type", "unit")
        .filter(case_id=case.pk, is_active=True)
        .first()
    )
    if wo is None or wo.status not in states.OPEN:
        return
    reason = _("Yêu cầu đã được giải quyết tại trung tâm.")
    close(
        wo,
        WorkOrder.Status.CANCELLED,
        reason=reason,
        actor=actor,
        kind="cancelled",
        move_case_back=False,
    )
