"""After an incident is resolved or cancelled: resolve its cases and tell everyone in scope.

Runs as a task after commit (ids only); `cskh incidents_tick` retries what is left pending.
"""

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Case
from cskh.core.errors import DomainError
from cskh.incidents import selectors, tasks
from cskh.incidents.models import Incident, IncidentCase, IncidentEvent
from cskh.incidents.services.common import record
from cskh.incidents.services.notices import plan_notify

log = logging.getLogger("cskh.incidents")

RESOLVE_BATCH = 200


def schedule_cascade(incident_id: int) -> None:
    def enqueue() -> None:
        try:
            tasks.run_cascade.enqueue(incident_id)
        except Exception:  # noqa: BLE001 — `cskh incidents_tick` picks it up
            log.exception("could not enqueue cascade for incident %s", incident_id)

    transaction.on_commit(enqueue)


def resolve_linked_cases(incident: Incident) -> int:
    """Resolve linked open cases that have no other open issue (no other live incident and
    still a grouping case type). Each case in its own transaction; idempotent."""
    note = _("Đã khắc phục sự cố %(code)s: %(title)s.") % {
        "code": incident.code,
        "title": incident.title,
    }
    done = reported = 0
    last = 0
    while True:
        batch = list(
            IncidentCase.objects.filter(incident=incident, case__is_open=True, id__gt=last)
            .order_by("id")
            .values_list("id", "case_id")[:RESOLVE_BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        case_ids = [c for _i, c in batch]
        other = set(
            IncidentCase.objects.filter(case_id__in=case_ids, incident__status__in=Incident.LIVE)
            .exclude(incident=incident)
            .values_list("case_id", flat=True)
        )
        for case in Case.objects.filter(pk__in=case_ids, is_open=True).select_related("case_type"):
            if case.pk in other or not case.case_type.groups_incidents:
                continue
            try:
                with transaction.atomic():
                    case_services.transition(case=case, to="resolved", note=note)
                done += 1
            except DomainError as exc:
                log.warning("incident %s: case %s not resolved: %s", incident.pk, case.pk, exc)
        Incident.objects.filter(pk=incident.pk).update(
            cases_resolved=F("cases_resolved") + (done - reported)
        )
        reported = done
    if done:
        record(
            incident,
            IncidentEvent.Kind.CASES,
            body=_("Đã đóng %(n)s yêu cầu liên quan.") % {"n": done},
            data={"resolved": done},
        )
    return done


def run_cascade(incident_id: int) -> dict[str, Any]:
    """After resolution/cancellation: resolve linked cases, notify everyone in scope.

    Idempotent (the outbox dedupes per customer); leaves cascade_pending set when the outbox
    refuses so that `cskh incidents_tick` retries.
    """
    incident = Incident.objects.filter(pk=incident_id, cascade_pending=True).first()
    if incident is None:
        return {"skipped": True}
    out: dict[str, Any] = {}
    if incident.status == Incident.Status.RESOLVED:
        out["cases_resolved"] = resolve_linked_cases(incident)
        if incident.kind != Incident.Kind.PLANNED:
            try:
                out["notified"] = plan_notify(
                    incident,
                    selectors.affected_recipients(incident),
                    template="incident_restored",
                    suffix="resolved",
                )
            except DomainError as exc:
                record(incident, IncidentEvent.Kind.NOTIFY, body=str(exc))
                return {**out, "error": str(exc)}
    elif incident.status == Incident.Status.CANCELLED:
        if incident.notice_sent_at:
            try:
                out["notified"] = plan_notify(
                    incident,
                    selectors.affected_recipients(incident),
                    template="planned_outage_cancelled",
                    suffix=f"cancelled:v{incident.version}",
                )
            except DomainError as exc:
                record(incident, IncidentEvent.Kind.NOTIFY, body=str(exc))
                return {"error": str(exc)}
        Incident.objects.filter(pk=incident.pk).update(notified_version=incident.version)
    Incident.objects.filter(pk=incident.pk).update(cascade_pending=False)
    return out
