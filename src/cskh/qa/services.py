"""Every state change of QA: scorecards, sampling the review queue, scoring, the agent's
answer, and attitude flags on replies sent despite the warning."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.org import permissions
from cskh.qa.attitude import check_reply
from cskh.qa.models import Answer, AttitudeFlag, Criterion, Review, Scorecard
from cskh.textintel.services import check_profile

__all__ = [
    "publish_scorecard",
    "compute_score",
    "sample_week",
    "open_calibration",
    "score_review",
    "acknowledge",
    "dispute",
    "record_reply",
    "on_case_replied",
    "on_case_transitioned",
    "week_start",
]

CriterionSpec = tuple[str, int, bool]  # label, weight, auto-fail


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def publish_scorecard(
    *, name: str, criteria: Sequence[CriterionSpec], now: datetime | None = None
) -> Scorecard:
    """A new version of ``name``; the previous versions stay for the reviews that used them."""
    if not criteria:
        raise DomainError(_("Phiếu chấm điểm cần ít nhất một tiêu chí."))
    if sum(w for _l, w, af in criteria if not af) <= 0:
        raise DomainError(_("Tổng trọng số các tiêu chí tính điểm phải lớn hơn 0."))
    last = Scorecard.objects.select_for_update().filter(name=name).order_by("-version").first()
    Scorecard.objects.filter(name=name, is_active=True).update(is_active=False)
    card = Scorecard.objects.create(
        name=name,
        version=(last.version + 1) if last else 1,
        is_active=True,
        created_at=now or timezone.now(),
    )
    Criterion.objects.bulk_create(
        Criterion(scorecard=card, position=i, label=label, weight=weight, auto_fail=af)
        for i, (label, weight, af) in enumerate(criteria)
    )
    return card


def compute_score(criteria: Iterable[Criterion], met: dict[int, bool]) -> tuple[Decimal, bool]:
    """(score 0..100, auto-failed). An unmet auto-fail item makes the whole review 0; the
    others count by weight."""
    total = gained = 0
    for c in criteria:
        ok = met.get(c.pk, False)
        if c.auto_fail:
            if not ok:
                return Decimal("0.0"), True
            continue
        total += c.weight
        gained += c.weight if ok else 0
    if total == 0:
        return Decimal("100.0"), False
    return (Decimal(gained * 100) / Decimal(total)).quantize(Decimal("0.1")), False


def _active_scorecard() -> Scorecard:
    card = Scorecard.objects.filter(is_active=True).order_by("-created_at").first()
    if card is None:
        raise DomainError(_("Chưa có phiếu chấm điểm nào đang dùng."))
    return card


@transaction.atomic
def sample_week(
    *, week: date, per_agent: int = 3, seed: int | None = None, now: datetime | None = None
) -> list[Review]:
    """Fill the review queue for one week: per agent who handled cases that week, their
    complaints first, then the longest-handled, then random ones, ``per_agent`` in all.
    Cases already in the queue are skipped, so running it twice adds nothing."""
    from cskh.cases.selectors import handled_in_range

    now = now or timezone.now()
    week = week_start(week)
    card = _active_scorecard()
    start = timezone.make_aware(datetime.combine(week, datetime.min.time()))
    rows = handled_in_range(start=start, end=start + timedelta(days=7))
    taken = set(Review.objects.filter(week=week).values_list("case_id", flat=True))
    by_agent: dict[int, list[Any]] = {}
    for row in rows:
        if row["id"] not in taken:
            by_agent.setdefault(row["assigned_agent_id"], []).append(row)
    rnd = random.Random(seed if seed is not None else week.toordinal())
    out: list[Review] = []
    for agent_id, cases in sorted(by_agent.items()):
        already = Review.objects.filter(week=week, agent_id=agent_id).count()
        room = per_agent - already
        picks: list[tuple[Any, str]] = []
        complaints = [c for c in cases if c["complaint"]]
        for c in complaints[: max(0, min(1, room))]:
            picks.append((c, Review.Sample.COMPLAINT))
        rest = [c for c in cases if c not in [p[0] for p in picks]]
        handled = [c for c in rest if c["resolved_at"]]
        handled.sort(key=lambda c: c["resolved_at"] - c["created_at"], reverse=True)
        if handled and len(picks) < room:
            picks.append((handled[0], Review.Sample.LONG))
        rest = [c for c in rest if c not in [p[0] for p in picks]]
        rnd.shuffle(rest)
        for c in rest[: max(0, room - len(picks))]:
            picks.append((c, Review.Sample.RANDOM))
        for c, sample in picks:
            out.append(
                Review(
                    case_id=c["id"],
                    agent_id=agent_id,
                    scorecard=card,
                    sample=sample,
                    week=week,
                    created_at=now,
                )
            )
    return Review.objects.bulk_create(out)


@transaction.atomic
def open_calibration(
    *, review: Review, reviewers: Sequence[Any], now: datetime | None = None
) -> list[Review]:
    """Several reviewers score the same case: one review each, sharing a calibration key."""
    now = now or timezone.now()
    key = review.calibration_key or hashlib.sha1(f"{review.pk}:{now}".encode()).hexdigest()
    if not review.calibration_key:
        Review.objects.filter(pk=review.pk).update(calibration_key=key)
    have = set(Review.objects.filter(calibration_key=key).values_list("reviewer_id", flat=True))
    new = [
        Review(
            case_id=review.case_id,
            agent_id=review.agent_id,
            reviewer=r,
            scorecard=review.scorecard,
            sample=Review.Sample.CALIBRATION,
            week=review.week,
            calibration_key=key,
            created_at=now,
        )
        for r in reviewers
        if r.pk not in have
    ]
    return Review.objects.bulk_create(new)


@transaction.atomic
def score_review(
    *,
    review: Review,
    reviewer: Any,
    met: dict[int, bool],
    comment: str = "",
    now: datetime | None = None,
) -> Review:
    if not permissions.can_review_quality(reviewer):
        raise DomainError(_("Bạn không có quyền chấm điểm chất lượng."))
    if review.agent_id == reviewer.pk:
        raise DomainError(_("Không thể tự chấm điểm cuộc xử lý của chính mình."))
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in (Review.Status.PENDING, Review.Status.SCORED):
        raise DomainError(_("Tư vấn viên đã phản hồi đánh giá này; không thể chấm lại."))
    if review.reviewer_id not in (None, reviewer.pk):
        raise DomainError(_("Đánh giá này do người khác chấm."))
    criteria = list(review.scorecard.criteria.all())
    score, failed = compute_score(criteria, met)
    Answer.objects.filter(review=review).delete()
    Answer.objects.bulk_create(
        Answer(review=review, criterion=c, met=bool(met.get(c.pk, False))) for c in criteria
    )
    review.reviewer = reviewer
    review.score = score
    review.auto_failed = failed
    review.comment = comment.strip()
    review.status = Review.Status.SCORED
    review.scored_at = now or timezone.now()
    review.save()
    audit.record(
        actor=reviewer, action="qa.review_scored", obj=review, changes={"score": str(score)}
    )
    return review


def _answer(review: Review, agent: Any, status: str, text: str, now: datetime | None) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.agent_id != agent.pk:
        raise DomainError(_("Đây không phải đánh giá của bạn."))
    if review.status != Review.Status.SCORED:
        raise DomainError(_("Đánh giá này chưa chấm xong hoặc đã được phản hồi."))
    review.status = status
    review.agent_reply = text.strip()
    review.answered_at = now or timezone.now()
    review.save(update_fields=["status", "agent_reply", "answered_at"])
    audit.record(actor=agent, action=f"qa.review_{status}", obj=review)
    return review


@transaction.atomic
def acknowledge(
    *, review: Review, agent: Any, note: str = "", now: datetime | None = None
) -> Review:
    return _answer(review, agent, Review.Status.ACKNOWLEDGED, note, now)


@transaction.atomic
def dispute(*, review: Review, agent: Any, reason: str, now: datetime | None = None) -> Review:
    if not reason.strip():
        raise DomainError(_("Vui lòng ghi lý do khiếu nại đánh giá."))
    return _answer(review, agent, Review.Status.DISPUTED, reason, now)


def record_reply(
    *,
    agent: Any,
    text: str,
    case: Any = None,
    profile: str = "electricity",
    now: datetime | None = None,
) -> AttitudeFlag | None:
    """Check a reply that was sent; if the check warned, count it in the agent's QA."""
    if agent is None or not getattr(agent, "pk", None):
        return None
    result = check_reply(text, profile)
    if result.ok:
        return None
    return AttitudeFlag.objects.create(
        agent=agent,
        case=case,
        codes=sorted({i.code for i in result.issues}),
        score=result.score,
        excerpt=text[:300],
        created_at=now or timezone.now(),
    )


def on_case_replied(*, case: Any, event: Any, actor: Any = None, **_: Any) -> None:
    """Hook ``case_replied``: a public reply is counted when the attitude check flags it."""
    record_reply(
        agent=actor,
        text=event.body or "",
        case=case,
        profile=check_profile(None),
        now=event.created_at,
    )


def on_case_transitioned(*, case: Any, before: str, actor: Any = None, **_: Any) -> None:
    """Hook ``case_transitioned``: the resolution text is told to the customer (notify's
    "resolved" message), so a resolution the attitude check flags counts like a reply."""
    if case.status != "resolved" or not case.resolution:
        return
    record_reply(
        agent=actor,
        text=case.resolution,
        case=case,
        profile=check_profile(None),
        now=case.resolved_at,
    )
