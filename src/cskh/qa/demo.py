"""Demo history for QA (called by ``cskh demo``): a scorecard, a year of weekly reviews
(scored, acknowledged or disputed, a few calibration sessions, this week still pending) and the
attitude flags of replies sent despite the warning. Bulk writes only: a few seconds at 20k
customers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count

from cskh.cases.selectors import handled_in_range
from cskh.org import permissions
from cskh.org.models import User
from cskh.qa import corpus
from cskh.qa.attitude import check_reply
from cskh.qa.models import Answer, AttitudeFlag, Review, Scorecard
from cskh.qa.services import compute_score, publish_scorecard, week_start

__all__ = ["install_demo_reviews", "DEFAULT_CRITERIA"]

DEFAULT_CRITERIA = [
    ("Chào hỏi, xưng tên đúng mẫu", 10, False),
    ("Xác minh danh tính khách hàng", 0, True),
    ("Thông tin chính xác, đúng quy trình", 30, False),
    ("Thấu cảm, lắng nghe", 20, False),
    ("Ghi nhận yêu cầu đầy đủ", 20, False),
    ("Kết thúc, hẹn thời gian phản hồi", 20, False),
    ("Không hứa ngoài chính sách", 0, True),
]
# how often each criterion is met (auto-fail items rarely missed)
MET_RATE = [0.93, 0.98, 0.88, 0.8, 0.9, 0.85, 0.99]


@transaction.atomic
def install_demo_reviews(*, now: datetime, seed: int = 18, weeks: int = 52) -> dict[str, int]:
    """Idempotent: does nothing when reviews exist."""
    if Review.objects.exists():
        return {"reviews": 0, "flags": 0}
    rng = random.Random(seed)
    card = Scorecard.objects.filter(is_active=True).first() or publish_scorecard(
        name="Phiếu chấm cuộc xử lý", criteria=DEFAULT_CRITERIA, now=now - timedelta(days=400)
    )
    criteria = list(card.criteria.all())
    leads = [u for u in User.objects.filter(is_active=True) if permissions.can_review_quality(u)]
    leads = [u for u in leads if not u.is_superuser] or leads
    if not leads:
        return {"reviews": 0, "flags": 0}
    this_week = week_start(now.date())
    reviews: list[Review] = []
    answers: list[tuple[int, dict[int, bool]]] = []
    agents: set[int] = set()
    for w in range(weeks, -1, -1):
        week = this_week - timedelta(weeks=w)
        start = datetime.combine(week, datetime.min.time(), tzinfo=now.tzinfo)
        rows = handled_in_range(start=start, end=start + timedelta(days=7))
        by_agent: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_agent.setdefault(row["assigned_agent_id"], []).append(row)
        for agent_id, cases in sorted(by_agent.items()):
            agents.add(agent_id)
            complaints = [c for c in cases if c["complaint"]]
            pick = (
                (rng.choice(complaints), Review.Sample.COMPLAINT)
                if complaints and rng.random() < 0.5
                else (rng.choice(cases), Review.Sample.RANDOM)
            )
            at = start + timedelta(days=7, hours=rng.randint(1, 60))
            r = Review(
                case_id=pick[0]["id"],
                agent_id=agent_id,
                scorecard=card,
                sample=pick[1],
                week=week,
                created_at=min(now, start + timedelta(days=7)),
            )
            if w > 0:
                met = {
                    c.pk: rng.random() < MET_RATE[i % len(MET_RATE)] for i, c in enumerate(criteria)
                }
                r.score, r.auto_failed = compute_score(criteria, met)
                r.reviewer = rng.choice(leads)
                r.status = Review.Status.SCORED
                r.scored_at = at
                r.comment = rng.choice(
                    [
                        "",
                        "Cần xác nhận lại số điện thoại khách.",
                        "Giọng nói thân thiện.",
                        "Chưa hẹn thời gian phản hồi.",
                        "Xử lý đúng quy trình.",
                    ]
                )
                if w > 1:
                    disputed = rng.random() < 0.06
                    r.status = Review.Status.DISPUTED if disputed else Review.Status.ACKNOWLEDGED
                    r.agent_reply = "Em đã xác minh qua mã khách hàng." if disputed else ""
                    r.answered_at = at + timedelta(hours=rng.randint(2, 48))
                answers.append((len(reviews), met))
            reviews.append(r)
    Review.objects.bulk_create(reviews)
    # calibration: one item a month scored by up to three leads
    calib: list[Review] = []
    for i, r in enumerate(reviews[:: max(1, len(reviews) // 12)]):
        if r.status == Review.Status.PENDING or len(leads) < 2:
            continue
        key = f"demo-{seed}-{i}"
        Review.objects.filter(pk=r.pk).update(calibration_key=key)
        for lead in [u for u in leads if u.pk != r.reviewer_id][:2]:
            met = {c.pk: rng.random() < MET_RATE[j % len(MET_RATE)] for j, c in enumerate(criteria)}
            score, failed = compute_score(criteria, met)
            calib.append(
                Review(
                    case_id=r.case_id,
                    agent_id=r.agent_id,
                    reviewer=lead,
                    scorecard=card,
                    sample=Review.Sample.CALIBRATION,
                    week=r.week,
                    calibration_key=key,
                    status=Review.Status.SCORED,
                    score=score,
                    auto_failed=failed,
                    created_at=r.created_at,
                    scored_at=r.scored_at,
                )
            )
    Review.objects.bulk_create(calib)
    Answer.objects.bulk_create(
        Answer(review=reviews[i], criterion=c, met=met[c.pk])
        for i, met in answers
        for c in criteria
    )
    rude = [r.text for r in corpus.heldout() if r.impolite]
    flags = []
    agent_ids = sorted(agents)
    for _ in range(min(600, 12 * len(agent_ids))):
        text = rng.choice(rude)
        res = check_reply(text)
        flags.append(
            AttitudeFlag(
                agent_id=rng.choice(agent_ids),
                codes=sorted({i.code for i in res.issues}),
                score=res.score,
                excerpt=text[:300],
                created_at=now - timedelta(minutes=rng.randint(10, 365 * 24 * 60)),
            )
        )
    AttitudeFlag.objects.bulk_create(flags)
    return {
        "reviews": len(reviews) + len(calib),
        "flags": len(flags),
        "agents": Review.objects.values("agent").annotate(n=Count("id")).count(),
    }
