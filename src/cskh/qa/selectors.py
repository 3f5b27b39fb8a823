"""Reads of QA: the review queue, an agent's reviews, calibration spread, attitude counts."""

from __future__ import annotations

import statistics
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from cskh.org import permissions
from cskh.qa.models import AttitudeFlag, Review

__all__ = ["queue", "reviews_of", "get_for_user", "calibration", "attitude_counts"]

_RELATED = ("case", "agent", "reviewer", "scorecard")


def queue(*, status: str | None = None, limit: int = 100) -> list[Review]:
    qs: QuerySet[Review] = Review.objects.select_related(*_RELATED)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-week", "status", "id")[:limit])


def reviews_of(agent: Any, *, limit: int = 100) -> list[Review]:
    """The agent's scored reviews (pending ones are the reviewers' business)."""
    return list(
        Review.objects.select_related(*_RELATED)
        .filter(agent=agent)
        .exclude(status=Review.Status.PENDING)
        .order_by("-scored_at", "-id")[:limit]
    )


def get_for_user(user: Any, review_id: int) -> Review:
    """The review, or 404 when it does not exist for this user (not theirs, not a reviewer)."""
    review = (
        Review.objects.select_related(*_RELATED)
        .prefetch_related("answers__criterion", "scorecard__criteria")
        .filter(pk=review_id)
        .first()
    )
    if review is None or not permissions.can_view_review(user, review):
        raise Http404
    return review


def calibration(key: str) -> dict[str, Any]:
    """The scores given to one item by several reviewers and their spread."""
    reviews = list(
        Review.objects.select_related("reviewer")
        .filter(calibration_key=key, score__isnull=False)
        .order_by("reviewer__username")
    )
    scores = [float(r.score) for r in reviews if r.score is not None]
    return {
        "reviews": reviews,
        "min": min(scores) if scores else None,
        "max": max(scores) if scores else None,
        "spread": (max(scores) - min(scores)) if scores else None,
        "stdev": round(statistics.pstdev(scores), 1) if len(scores) > 1 else None,
    }


def attitude_counts(*, since: datetime, agent: Any = None) -> dict[int, int]:
    """Flagged replies per agent id since a moment."""
    qs = AttitudeFlag.objects.filter(created_at__gte=since)
    if agent is not None:
        qs = qs.filter(agent=agent)
    return dict(qs.values_list("agent").annotate(n=Count("id")).values_list("agent", "n"))
