"""Customer messages about an incident, paced through cskh.notify.broadcast.

The slices of a message are stored as NotifyBatch rows (their progress is the incident's);
slices due now are handed to the outbox in the caller's transaction, later ones by the
`send_notify_batches` task or `cskh incidents_tick`.
"""

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.catalog import services as catalog
from cskh.incidents import selectors, tasks
from cskh.incidents.models import Incident, IncidentEvent, NotifyBatch
from cskh.incidents.services.common import confirmed_title, local_time, record
from cskh.notify import broadcast

log = logging.getLogger("cskh.incidents")


def notify_context(incident: Incident) -> dict[str, Any]:
    areas = sorted({s.ward.name for s in incident.scopes.select_related("ward") if s.ward})
    words = catalog.terms()
    return {
        "outage": words["outage"],
        "planned": words["planned"],
        "planned_stop": words["planned_stop"],
        "incident_id": incident.pk,
        "incident_number": incident.code,  # internal: the built-in templates do not print it
        "incident": incident.code,
        "title": confirmed_title(incident),  # never the "Nghi …" of a suspected incident
        "message": incident.public_message or words["public_message"],
        "area": ", ".join(areas[:5]),
        "reason": incident.reason,
        "eta": local_time(incident.eta),
        "start": local_time(incident.started_at),
        "end": local_time(incident.ends_at),
        "resolved_at": local_time(incident.resolved_at),
    }


def plan_notify(
    incident: Incident,
    recipients: list[tuple[int, str]],
    *,
    template: str,
    suffix: str,
    now: datetime | None = None,
) -> int:
    """Store the paced slices of one message; hand over those due now. Returns the customers.

    Idempotent per (incident, suffix): the outbox dedupes on f"{prefix}:{customer_id}".
    The incident's counters add up every message (notify_total planned, notify_enqueued handed
    to the outbox), so the handed count never exceeds the planned one."""
    now = now or timezone.now()
    prefix = f"incident:{incident.pk}:{suffix}"[:120]
    if NotifyBatch.objects.filter(incident=incident, dedupe_prefix=prefix).exists():
        return 0
    context = notify_context(incident)
    slices = broadcast.pace(recipients, now=now)
    rows = [
        NotifyBatch(
            incident=incident,
            template=template,
            dedupe_prefix=prefix,
            channel=s.channel,
            customer_ids=s.customer_ids,
            size=len(s.customer_ids),
            context=context,
            due_at=s.due_at,
            created_at=now,
        )
        for s in slices
    ]
    NotifyBatch.objects.bulk_create(rows, batch_size=200)
    total = sum(r.size for r in rows)
    Incident.objects.filter(pk=incident.pk).update(notify_total=F("notify_total") + total)
    record(
        incident,
        IncidentEvent.Kind.NOTIFY,
        body=_("Lên lịch thông báo cho %(n)s khách hàng (%(t)s), %(b)s đợt.")
        % {"n": total, "t": template, "b": len(rows)},
        data={"template": template, "customers": total, "batches": len(rows)},
        at=now,
    )
    send_due_batches(incident_id=incident.pk, now=now)
    if any(r.due_at > now for r in rows):
        _kick_batches()
    return total


def _count_sent(batch: NotifyBatch) -> None:
    Incident.objects.filter(pk=batch.incident_id).update(
        notify_enqueued=F("notify_enqueued") + batch.size
    )


def send_due_batches(
    *, incident_id: int | None = None, now: datetime | None = None, limit: int = 1000
) -> int:
    """Hand due slices to the outbox, one transaction each (safe with several workers)."""
    pending = NotifyBatch.objects.all()
    if incident_id is not None:
        pending = pending.filter(incident_id=incident_id)
    return broadcast.send_due(pending, now=now, limit=limit, on_sent=_count_sent)


def next_batch_due() -> datetime | None:
    return broadcast.next_due(NotifyBatch.objects.all())


def _kick_batches() -> None:
    def enqueue() -> None:
        try:
            due = next_batch_due()
            if due is None:
                return
            tasks.send_notify_batches.using(run_after=due).enqueue()
        except Exception:  # noqa: BLE001 — `cskh incidents_tick` picks the slices up
            log.exception("could not enqueue notification slices")

    transaction.on_commit(enqueue)


def notify_affected(incident: Incident, *, template: str, suffix: str) -> int:
    """Everyone in the incident's scope (service points), plus callers and subscribers."""
    recipients = selectors.affected_recipients(incident)
    if not recipients:
        return 0
    return plan_notify(incident, recipients, template=template, suffix=suffix)
