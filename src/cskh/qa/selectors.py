"""Reads of QA: the review queue, an agent's reviews, calibration spread, attitude counts."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.http import Http404

from cskh.org import permissions
from cskh.org.names import vietnamese_name
from cskh.qa.models import AttitudeFlag, Review

__all__ = [
    "queue",
    "reviews_of",
    "get_for_user",
    "calibration",
    "attitude_counts",
    "dashboard",
]

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


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def dashboard(
    *, agent_ids: set[int] | None, unit_ids: set[int] | None, since: date, until: date
) -> dict[str, Any]:
    """The QA dashboard between two weeks (Mondays, inclusive): per agent and per team (the
    agent's unit) the scored reviews, average score, auto-fails, acknowledged and disputed
    answers and attitude warnings; the weekly trend of the average. Calibration copies are
    left out (the same case scored again). ``agent_ids``/``unit_ids`` None: everyone."""
    qs = Review.objects.filter(week__gte=since, week__lte=until, score__isnull=False).exclude(
        sample=Review.Sample.CALIBRATION
    )
    flags = AttitudeFlag.objects.filter(
        created_at__date__gte=since, created_at__date__lt=until + timedelta(days=7)
    )
    if agent_ids is not None:
        qs = qs.filter(agent_id__in=agent_ids)
        flags = flags.filter(agent_id__in=agent_ids)
    if unit_ids is not None:
        qs = qs.filter(agent__unit_id__in=unit_ids)
        flags = flags.filter(agent__unit_id__in=unit_ids)
    figures = dict(
        n=Count("id"),
        avg=Avg("score"),
        fails=Count("id", filter=Q(auto_failed=True)),
        acked=Count("id", filter=Q(status=Review.Status.ACKNOWLEDGED)),
        disputed=Count("id", filter=Q(status=Review.Status.DISPUTED)),
    )
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in qs.values("agent_id", "agent__first_name", "agent__last_name", "agent__username")
        .annotate(unit_id=F("agent__unit_id"), unit_name=F("agent__unit__name"), **figures)
        .order_by("agent__last_name", "agent__first_name", "agent_id")
    ]
    flag_n = dict(
        flags.values_list("agent_id").annotate(n=Count("id")).values_list("agent_id", "n")
    )
    agents = []
    teams: dict[Any, dict[str, Any]] = {}
    for r in rows:
        row = {
            "id": r["agent_id"],
            "name": vietnamese_name(r["agent__last_name"], r["agent__first_name"])
            or r["agent__username"],
            "unit": r["unit_name"] or "—",
            "n": r["n"],
            "avg": round(float(r["avg"]), 1) if r["avg"] is not None else None,
            "fails": r["fails"],
            "fail_rate": _rate(r["fails"], r["n"]),
            "acked": r["acked"],
            "disputed": r["disputed"],
            "flags": flag_n.get(r["agent_id"], 0),
        }
        agents.append(row)
        team = teams.setdefault(
            r["unit_id"],
            {
                "unit": row["unit"],
                "agents": 0,
                "n": 0,
                "sum": 0.0,
                "fails": 0,
                "acked": 0,
                "disputed": 0,
                "flags": 0,
            },
        )
        team["agents"] += 1
        team["n"] += r["n"]
        team["sum"] += float(r["avg"] or 0) * r["n"]
        for key in ("fails", "acked", "disputed", "flags"):
            team[key] += row[key]
    for team in teams.values():
        team["avg"] = round(team["sum"] / team["n"], 1) if team["n"] else None
        team["fail_rate"] = _rate(team["fails"], team["n"])
    weekly = {
        w["week"]: w
        for w in qs.values("week").annotate(
            n=Count("id"), avg=Avg("score"), fails=Count("id", filter=Q(auto_failed=True))
        )
    }
    trend = []
    week = since
    while week <= until:
        w = weekly.get(week)
        trend.append(
            {
                "week": week,
                "label": week.strftime("%d/%m"),
                "n": w["n"] if w else 0,
                "score": round(float(w["avg"]), 1) if w and w["avg"] is not None else None,
                "fails": w["fails"] if w else 0,
            }
        )
        week += timedelta(days=7)
    return {
        "agents": agents,
        "teams": sorted(teams.values(), key=lambda t: t["unit"]),
        "trend": trend,
        "total": {
            "n": sum(a["n"] for a in agents),
            "avg": round(
                sum((a["avg"] or 0) * a["n"] for a in agents) / max(1, sum(a["n"] for a in agents)),
                1,
            )
            if agents
            else None,
            "flags": sum(flag_n.values()),
        },
    }
