"""Paced bulk notifications: one message to many customers without flooding a gateway.

A broadcast is split per channel into slices of `rate × SLOT_SECONDS` customers; slice k of a
channel is due k slots after the first. The caller stores the slices (for incidents:
cskh.incidents.models.NotifyBatch, which also carries their progress) and this module hands the
due ones to the outbox (`notify_customers`), one transaction per slice, so several workers can
share the work (SKIP LOCKED where the database has it). The slice rows belong to the caller so
that notify stays below the apps that broadcast (it imports none of them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cskh.notify.services import notify_customers

SLOT_SECONDS = 5
DEFAULT_RATES = {"sms": 500, "zalo": 500, "email": 200}  # messages per second
MAX_SLICE = 5000


def rates() -> dict[str, float]:
    """Messages per second per channel (settings.CSKH_INCIDENT_NOTIFY_RATES overrides)."""
    return {**DEFAULT_RATES, **settings.CSKH_INCIDENT_NOTIFY_RATES}


@dataclass(frozen=True)
class Slice:
    channel: str
    customer_ids: list[int]
    due_at: datetime


def pace(recipients: Iterable[tuple[int, str]], *, now: datetime) -> list[Slice]:
    """Split (customer_id, preferred channel) pairs into slices due one slot apart per channel.

    A customer listed twice counts once (the last channel wins); an unknown channel goes by SMS.
    """
    per_second = rates()
    by_channel: dict[str, list[int]] = {}
    for cid, ch in dict(recipients).items():
        by_channel.setdefault(ch if ch in per_second else "sms", []).append(cid)
    out: list[Slice] = []
    for ch, ids in sorted(by_channel.items()):
        size = max(1, min(MAX_SLICE, int(per_second[ch] * SLOT_SECONDS)))
        for k, i in enumerate(range(0, len(ids), size)):
            out.append(Slice(ch, ids[i : i + size], now + timedelta(seconds=k * SLOT_SECONDS)))
    return out


def send_due(
    pending: QuerySet,
    *,
    now: datetime | None = None,
    limit: int = 1000,
    on_sent: Callable[[Any], None] | None = None,
) -> int:
    """Hand the due slices of `pending` to the outbox; returns how many slices were handed.

    `pending` is a queryset of the caller's slice rows with the fields customer_ids, template,
    context, dedupe_prefix, incident_id, due_at, sent_at and queued. Each slice is handed over
    in its own transaction together with `on_sent(row)` (the caller's progress counters); the
    outbox dedupes per customer, so a slice handed twice after a crash sends once.
    """
    done = 0
    while done < limit:
        at = now or timezone.now()
        with transaction.atomic():
            qs = pending.filter(sent_at__isnull=True, due_at__lte=at).order_by("due_at", "id")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            row = qs.first()
            if row is None:
                break
            queued = notify_customers(
                customer_ids=row.customer_ids,
                template=row.template,
                context=row.context,
                incident_id=row.incident_id,
                dedupe_prefix=row.dedupe_prefix,
            )
            pending.model.objects.filter(pk=row.pk).update(sent_at=at, queued=queued or 0)
            if on_sent is not None:
                on_sent(row)
        done += 1
    return done


def next_due(pending: QuerySet) -> datetime | None:
    """When the next slice of `pending` falls due (None: nothing left to send)."""
    return (
        pending.filter(sent_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
