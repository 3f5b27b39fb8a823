"""Reads of the social app: the agents' queue, one mention, alerts, dashboard figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core.errors import NotFound
from cskh.social.models import CrisisAlert, Mention, Reply

__all__ = [
    "queue",
    "get",
    "replies",
    "active_alerts",
    "volume_by_day",
    "share_of_voice",
    "response_time",
    "top_authors",
    "pending_approvals",
    "export_rows",
]

OPEN = (Mention.Status.NEW, Mention.Status.ASSIGNED)


def queue(
    *, source: str = "", actionable_only: bool = False, mine_id: int | None = None, limit: int = 100
) -> list[Mention]:
    """Cluster heads still open: actionable first, then urgent, then by reach, newest first."""
    qs = Mention.objects.filter(duplicate_of__isnull=True, status__in=OPEN)
    if source:
        qs = qs.filter(source=source)
    if actionable_only:
        qs = qs.filter(actionable=True)
    if mine_id:
        qs = qs.filter(assignee_id=mine_id)
    return list(
        qs.select_related("assignee", "case").order_by(
            "-actionable", "-urgent", "-reach", "-posted_at"
        )[:limit]
    )


def get(mention_id: int) -> Mention:
    m = (
        Mention.objects.select_related(
            "assignee", "case", "customer", "proposed_customer", "duplicate_of"
        )
        .filter(pk=mention_id)
        .first()
    )
    if m is None:
        raise NotFound(_("Không tìm thấy đề cập."))
    return m


def get_reply(reply_id: int) -> Reply:
    r = Reply.objects.select_related("mention").filter(pk=reply_id).first()
    if r is None:
        raise NotFound(_("Không tìm thấy câu trả lời."))
    return r


def replies(mention: Mention) -> list[Reply]:
    return list(mention.replies.select_related("author", "approved_by").order_by("id"))


def duplicates(mention: Mention, limit: int = 20) -> list[Mention]:
    return list(mention.duplicates.order_by("posted_at")[:limit])


def pending_approvals(limit: int = 50) -> list[Reply]:
    return list(
        Reply.objects.filter(status=Reply.Status.PENDING_APPROVAL)
        .select_related("mention", "author")
        .order_by("created_at")[:limit]
    )


def active_alerts(*, hours: int = 24, limit: int = 10) -> list[CrisisAlert]:
    since = timezone.now() - timedelta(hours=hours)
    return list(
        CrisisAlert.objects.filter(created_at__gte=since, acknowledged_at__isnull=True).order_by(
            "-created_at"
        )[:limit]
    )


def recent_alerts(limit: int = 50) -> list[CrisisAlert]:
    return list(
        CrisisAlert.objects.select_related("acknowledged_by").order_by("-created_at")[:limit]
    )


def _period(qs: QuerySet[Mention], start: datetime, source: str, topic: str) -> QuerySet[Mention]:
    qs = qs.filter(posted_at__gte=start)
    if source:
        qs = qs.filter(source=source)
    if topic:
        qs = qs.filter(topic=topic)
    return qs


def volume_by_day(*, start: datetime, source: str = "", topic: str = "") -> list[dict[str, Any]]:
    """[{"day", "negative", "neutral", "positive", "total", "actionable"}] per day."""
    rows = (
        _period(Mention.objects.all(), start, source, topic)
        .annotate(day=TruncDate("posted_at"))
        .values("day")
        .annotate(
            total=Count("id"),
            negative=Count("id", filter=Q(sentiment="negative")),
            neutral=Count("id", filter=Q(sentiment="neutral")),
            positive=Count("id", filter=Q(sentiment="positive")),
            actionable=Count("id", filter=Q(actionable=True)),
        )
        .order_by("day")
    )
    return [dict(r) for r in rows]


def share_of_voice(*, start: datetime, topic: str = "") -> list[dict[str, Any]]:
    """Mentions per source and their share, with the negative share."""
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in _period(Mention.objects.all(), start, "", topic)
        .values("source")
        .annotate(n=Count("id"), neg=Count("id", filter=Q(sentiment="negative")))
        .order_by("-n")
    ]
    total = sum(r["n"] for r in rows) or 1
    for r in rows:
        r["share"] = round(100 * r["n"] / total, 1)
        r["neg_share"] = round(100 * r["neg"] / (r["n"] or 1), 1)
    return rows


def topics(*, start: datetime) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in Mention.objects.filter(posted_at__gte=start)
        .exclude(topic="")
        .values("topic")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    ]


def response_time(*, start: datetime, source: str = "", topic: str = "") -> dict[str, Any]:
    """Mean minutes from posting to the first published reply, actionable mentions only."""
    qs = _period(Mention.objects.filter(actionable=True), start, source, topic)
    answered = qs.filter(first_response_at__isnull=False)
    avg = answered.aggregate(
        d=Avg(
            ExpressionWrapper(F("first_response_at") - F("posted_at"), output_field=DurationField())
        )
    )["d"]
    return {
        "actionable": qs.count(),
        "answered": answered.count(),
        "mean_minutes": round(avg.total_seconds() / 60, 1) if avg else None,
    }


def top_authors(*, start: datetime, limit: int = 10) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in Mention.objects.filter(posted_at__gte=start)
        .exclude(author="")
        .values("author", "author_id")
        .annotate(
            reach=Sum("reach"), n=Count("id"), neg=Count("id", filter=Q(sentiment="negative"))
        )
        .order_by("-reach")[:limit]
    ]


def export_rows(*, start: datetime, source: str = "", topic: str = "") -> QuerySet[Mention]:
    return _period(Mention.objects.all(), start, source, topic).order_by("posted_at", "id")
