"""Rollup maintenance: each survey adds to one row per dimension of its sent month.

Increments are single UPDATE … SET x = x + n statements over the survey's rows (created first
with INSERT … ON CONFLICT DO NOTHING), so concurrent answers never lose a count and results
read a few hundred rows instead of scanning a million answers."""

from __future__ import annotations

from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from cskh.cx.models import Rollup, Survey

DIMENSIONS = ("agent", "team", "unit", "office", "channel", "case_type", "touchpoint", "month")


def month_of(moment: datetime) -> date:
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def keys_of(survey: Survey) -> list[tuple[str, str]]:
    """(dimension, key) pairs a survey counts under; unknown dimensions are left out."""
    pairs = [
        ("agent", survey.agent_id),
        ("team", survey.team_id),
        ("unit", survey.unit_id),
        ("office", survey.office_id),
        ("channel", survey.channel or None),
        ("case_type", survey.case_type_id),
        ("touchpoint", survey.touchpoint),
        ("month", "all"),
    ]
    return [(dim, str(key)) for dim, key in pairs if key not in (None, "")]


def is_high(kind: str, score: int) -> bool:
    return score >= (4 if kind == Survey.Kind.CSAT else 9)


def is_low(kind: str, score: int) -> bool:
    return score <= (2 if kind == Survey.Kind.CSAT else 6)


def add(survey: Survey, *, sent: int = 0, score: int | None = None) -> None:
    """Count a send (`sent=1`) and/or an answer (`score`) of the survey into its rollups."""
    assert survey.sent_at is not None
    month = month_of(survey.sent_at)
    pairs = keys_of(survey)
    Rollup.objects.bulk_create(
        [Rollup(kind=survey.kind, dim=d, key=k, month=month) for d, k in pairs],
        ignore_conflicts=True,
    )
    changes: dict[str, Any] = {}
    if sent:
        changes["sent"] = F("sent") + sent
    if score is not None:
        changes["responses"] = F("responses") + 1
        changes["score_sum"] = F("score_sum") + score
        if is_high(survey.kind, score):
            changes["high"] = F("high") + 1
        if is_low(survey.kind, score):
            changes["low"] = F("low") + 1
    if not changes:
        return
    where = reduce(or_, (Q(dim=d, key=k) for d, k in pairs))
    Rollup.objects.filter(where, kind=survey.kind, month=month).update(**changes)


def rebuild() -> int:
    """Recompute every rollup from the surveys (after a bulk import or a repair)."""
    from collections import Counter

    Rollup.objects.all().delete()
    totals: dict[tuple[str, str, str, date], Counter[str]] = {}
    rows = Survey.objects.filter(sent_at__isnull=False).iterator(chunk_size=5000)
    for s in rows:
        assert s.sent_at is not None
        month = month_of(s.sent_at)
        for d, k in keys_of(s):
            c = totals.setdefault((s.kind, d, k, month), Counter())
            c["sent"] += 1
            if s.score is not None and s.status == Survey.Status.ANSWERED:
                c["responses"] += 1
                c["score_sum"] += s.score
                c["high"] += is_high(s.kind, s.score)
                c["low"] += is_low(s.kind, s.score)
    Rollup.objects.bulk_create(
        [
            Rollup(kind=kind, dim=d, key=k, month=m, **dict(c))
            for (kind, d, k, m), c in totals.items()
        ],
        batch_size=2000,
    )
    return len(totals)
