"""Customer messages about an incident, paced through cskh.notify.broadcast.

The slices of a message are stored as NotifyBatch rows (their progress is the incident's);
slices due now are handed to the outbox in the caller's transaction, later ones by the
`send_notify_batches` task or `cskh incidents_tick`.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.customers.models import Customer
from cskh.incidents import selectors, tasks
from cskh.incidents.models import Incident, IncidentEvent, NotifyBatch
from cskh.incidents.services.common import local_time, record
from cskh.notify import broadcast

log = logging.getLogger("cskh.incidents")


def notify_context(incident: Incident) -> dict[str, Any]:
    areas = sorted({s.ward.name for s in incident.scopes.select_related("ward") if s.ward})
    return {
        "incident_id": incident.pk,
        "incident_number": incident.code,
        "incident": incident.code,
        "title": incident.title,
        "message": incident.public_message,
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
    track: bool = False,
    now: datetime | None = None,
) -> int:
    """Store the paced slices of one message; hand over those due now. Returns the customers.

    Idempotent per (incident, suffix): the outbox dedupes on f"{prefix}:{customer_id}".
    `track` resets the incident's progress counters (resolution / planned notices)."""
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
    if track:
        Incident.objects.filter(pk=incident.pk).update(notify_total=total, notify_enqueued=0)
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


def _recipients(customer_ids: Iterable[int]) -> list[tuple[int, str]]:
    ids = sorted(set(customer_ids))
    out: list[tuple[int, str]] = []
    for i in range(0, len(ids), 5000):
        out += list(
            Customer.objects.filter(pk__in=ids[i : i + 5000]).values_list("pk", "preferred_channel")
        )
    return out


def notify_callers(incident: Incident, *, template: str, suffix: str) -> int:
    """Customers who asked to be informed: linked callers (auto) and explicit subscribers."""
    ids = selectors.subscriber_customer_ids(incident)
    if not ids:
        return 0
    return plan_notify(incident, _recipients(ids), template=template, suffix=suffix)
