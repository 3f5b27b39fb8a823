"""Reads of the privacy app: the assembled export of a customer's data, requests, the access
log of one customer and the breach-readiness report of a time window."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cskh.cases import selectors as case_selectors
from cskh.conversations import selectors as conversation_selectors
from cskh.customers import selectors as customer_selectors
from cskh.cx import selectors as cx_selectors
from cskh.notify import selectors as notify_selectors
from cskh.org.models import User
from cskh.privacy.models import AccessLog, DataSubjectRequest
from cskh.telephony import selectors as telephony_selectors

EXPORT_FORMAT = "cskh-personal-data/1"


def export_for_customer(customer_id: int) -> dict[str, Any]:
    """Everything cskh holds about one customer, one section per owning app (each app's
    public ``export_for_customer``), JSON-serialisable."""
    cases = case_selectors.export_for_customer(customer_id)
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "customer": customer_selectors.export_for_customer(customer_id),
        "cases": cases["cases"],
        "interactions": cases["interactions"],
        "conversations": conversation_selectors.export_for_customer(customer_id),
        "notifications": notify_selectors.export_for_customer(customer_id),
        "telephony": telephony_selectors.export_for_customer(customer_id),
        "customer_experience": cx_selectors.export_for_customer(customer_id),
        "data_subject_requests": [
            {
                "kind": r.kind,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            }
            for r in requests_of(customer_id)
        ],
    }


def requests_of(customer_id: int) -> list[DataSubjectRequest]:
    return list(
        DataSubjectRequest.objects.filter(customer_id=customer_id)
        .select_related("owner", "filed_by")
        .order_by("-created_at", "-id")
    )


def open_requests() -> QuerySet[DataSubjectRequest]:
    """The officer's queue: open requests, the nearest deadline first."""
    return (
        DataSubjectRequest.objects.filter(
            status__in=[DataSubjectRequest.Status.OPEN, DataSubjectRequest.Status.IN_PROGRESS]
        )
        .select_related("customer", "owner", "filed_by")
        .order_by("due_at", "id")
    )


def recent_closed(limit: int = 30) -> list[DataSubjectRequest]:
    return list(
        DataSubjectRequest.objects.exclude(
            status__in=[DataSubjectRequest.Status.OPEN, DataSubjectRequest.Status.IN_PROGRESS]
        )
        .select_related("customer", "owner")
        .order_by("-closed_at", "-id")[:limit]
    )


def _names(user_ids: set[int]) -> dict[int, str]:
    return {u.pk: f"{u.display_name} ({u.username})" for u in User.objects.filter(pk__in=user_ids)}


def access_log_of(customer_id: int, *, limit: int = 500) -> list[dict[str, Any]]:
    """Who read this customer's data, newest first (the DPO's page)."""
    rows = list(AccessLog.objects.filter(customer_id=customer_id).order_by("-at", "-id")[:limit])
    names = _names({r.user_id for r in rows if r.user_id})
    return [
        {
            "at": r.at,
            "user": names.get(r.user_id or 0, "—"),
            "action": r.get_action_display(),
            "detail": r.detail,
        }
        for r in rows
    ]


REPORT_HEADER = ["at", "user_id", "username", "role", "action", "customer_id", "detail"]


def access_report_rows(start: datetime, end: datetime) -> Iterator[list[str]]:
    """Who accessed what in [start, end): the breach-notification export (Law 91/2025 asks the
    controller to notify within 72 hours; this says whose data a compromised account read)."""
    users: dict[int, dict[str, Any]] = {
        u["id"]: dict(u)
        for u in User.objects.filter(
            pk__in=AccessLog.objects.filter(at__gte=start, at__lt=end)
            .exclude(user_id=None)
            .values("user_id")
        ).values("id", "username", "role")
    }
    qs = AccessLog.objects.filter(at__gte=start, at__lt=end).order_by("at", "id")
    for r in qs.iterator(chunk_size=5000):
        u = users.get(r.user_id or 0, {})
        yield [
            r.at.isoformat(),
            str(r.user_id or ""),
            str(u.get("username", "")),
            str(u.get("role", "")),
            r.action,
            str(r.customer_id or ""),
            r.detail,
        ]


def access_report_csv(start: datetime, end: datetime) -> Iterator[str]:
    """The report as CSV text, streamed line by line."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(REPORT_HEADER)
    for row in access_report_rows(start, end):
        writer.writerow(row)
        if buf.tell() > 64 * 1024:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
