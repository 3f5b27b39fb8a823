"""Reads of the cx app: survey results from the rollups (never the survey table), the
customer card's risk and satisfaction, the save-desk queue, referral figures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from cskh.cx import stats
from cskh.cx.models import (
    ChurnScore,
    FollowUp,
    Referral,
    RetentionEntry,
    RewardEntry,
    Rollup,
    Survey,
    Touchpoint,
)

GROUPS = ("agent", "team", "unit", "office", "channel", "case_type", "touchpoint", "month")
KINDS = ("csat", "nps")


def staff_name(first_name: str, last_name: str, username: str = "") -> str:
    """Vietnamese order: family name (last_name) first."""
    return f"{last_name} {first_name}".strip() or username


def _labels(dim: str, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdigit()]
    if dim == "agent":
        from cskh.org.models import User

        return {
            str(pk): staff_name(f, la, u)
            for pk, f, la, u in User.objects.filter(pk__in=ids).values_list(
                "pk", "first_name", "last_name", "username"
            )
        }
    if dim in ("team", "unit", "office"):
        from cskh.org.models import Unit

        return {str(pk): n for pk, n in Unit.objects.filter(pk__in=ids).values_list("pk", "name")}
    if dim == "case_type":
        from cskh.catalog.models import CaseType

        return {
            str(pk): n for pk, n in CaseType.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    if dim == "channel":
        from cskh.cases.models import Channel

        labels = {str(v): str(label) for v, label in Channel.choices}
        labels.update(field=str(Touchpoint.FIELD.label), campaign=str(Touchpoint.CAMPAIGN.label))
        return {k: labels.get(k, k) for k in keys}
    if dim == "touchpoint":
        return {k: str(Touchpoint(k).label) if k in Touchpoint.values else k for k in keys}
    return {k: k for k in keys}


def month_floor(d: date) -> date:
    return date(d.year, d.month, 1)


def results(
    *, kind: str, group_by: str, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """[{"key","label","sent","responses","response_rate","score","ci_low","ci_high"}...]
    for the months from `start` to `end` (whole months). CSAT score: % of 4–5 answers with a
    Wilson interval; NPS: % promoters − % detractors with its normal-approximation interval."""
    qs = Rollup.objects.filter(kind=kind)
    if start:
        qs = qs.filter(month__gte=month_floor(start))
    if end:
        qs = qs.filter(month__lte=month_floor(end))
    sums = {"s": Sum("sent"), "r": Sum("responses"), "h": Sum("high"), "lo": Sum("low")}
    grouped: list[tuple[str, dict[str, Any]]]
    if group_by == "month":
        by_month = qs.filter(dim="month").values("month").annotate(**sums).order_by("month")
        grouped = [(r["month"].strftime("%Y-%m"), dict(r)) for r in by_month]
    else:
        by_key = qs.filter(dim=group_by).values("key").annotate(**sums).order_by("key")
        grouped = [(str(r["key"]), dict(r)) for r in by_key]
    labels = _labels(group_by, [k for k, _r in grouped])
    items: list[dict[str, Any]] = []
    for key, r in grouped:
        n, high, low = r["r"] or 0, r["h"] or 0, r["lo"] or 0
        if kind == "csat":
            score, (lo, hi) = stats.csat(high, n), stats.wilson(high, n)
        else:
            score, (lo, hi) = stats.nps(high, low, n), stats.nps_interval(high, low, n)
        items.append(
            {
                "key": key,
                "label": labels.get(key, key),
                "sent": r["s"] or 0,
                "responses": n,
                "response_rate": round(100 * n / r["s"], 1) if r["s"] else 0.0,
                "score": score,
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    if group_by != "month":
        items.sort(key=lambda i: (-i["responses"], i["label"]))
    return items


def recent_comments(*, kind: str, limit: int = 20) -> list[Survey]:
    return list(
        Survey.objects.filter(kind=kind, status=Survey.Status.ANSWERED)
        .exclude(comment="")
        .order_by("-answered_at")[:limit]
    )


def comment_topics(*, kind: str, since: date) -> list[dict[str, Any]]:
    """Answered comments per topic and sentiment (the text module's labels)."""
    rows = (
        Survey.objects.filter(
            kind=kind, status=Survey.Status.ANSWERED, answered_at__date__gte=since
        )
        .exclude(topic="")
        .values("topic")
        .annotate(
            n=Count("pk"),
            negative=Count("pk", filter=Q(sentiment="negative")),
            positive=Count("pk", filter=Q(sentiment="positive")),
        )
        .order_by("-n")[:12]
    )
    from cskh.catalog.models import CaseType

    names = dict(CaseType.objects.values_list("code", "name"))
    return [{**r, "label": names.get(r["topic"], r["topic"])} for r in rows]


def card(customer_id: int) -> dict[str, Any]:
    """What the customer card shows: churn risk and reasons, last answers, open save-desk
    entry. Three queries."""
    score = ChurnScore.objects.filter(customer_id=customer_id).first()
    answers = list(
        Survey.objects.filter(customer_id=customer_id, status=Survey.Status.ANSWERED).order_by(
            "-answered_at"
        )[:3]
    )
    entry = RetentionEntry.objects.filter(customer_id=customer_id, is_open=True).first()
    return {"score": score, "answers": answers, "retention": entry}


def retention_queue(
    *, group: str = "treatment", open_only: bool = True
) -> QuerySet[RetentionEntry]:
    qs = RetentionEntry.objects.filter(group=group).select_related("customer", "offer", "case")
    if open_only:
        qs = qs.filter(is_open=True)
    return qs.order_by("-score", "id")


def uplift() -> dict[str, Any]:
    """Saved share of closed entries per group; uplift = treated − hold-out (points)."""
    out: dict[str, Any] = {}
    for group in RetentionEntry.Group.values:
        closed = RetentionEntry.objects.filter(group=group, reason="score", is_open=False)
        agg = closed.aggregate(n=Count("pk"), saved=Count("pk", filter=Q(outcome="saved")))
        n, saved = agg["n"] or 0, agg["saved"] or 0
        lo, hi = stats.wilson(saved, n)
        out[group] = {"n": n, "saved": saved, "rate": stats.csat(saved, n), "ci": (lo, hi)}
    out["uplift"] = round(out["treatment"]["rate"] - out["holdout"]["rate"], 1)
    return out


def followups(*, pending_only: bool = True) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related("survey", "case", "survey__customer")
    if pending_only:
        qs = qs.filter(outcome=FollowUp.Outcome.PENDING)
    return qs.order_by("-created_at")


def referral_report(*, since: date) -> dict[str, Any]:
    by_source: list[dict[str, Any]] = [
        dict(r)
        for r in Referral.objects.filter(created_at__date__gte=since)
        .values("source")
        .annotate(
            n=Count("pk"),
            rejected=Count("pk", filter=Q(status="rejected")),
            converted=Count("pk", filter=Q(status="converted")),
        )
        .order_by("-n")
    ]
    for row in by_source:
        valid = row["n"] - row["rejected"]
        row["conversion"] = round(100 * row["converted"] / valid, 1) if valid else 0.0
    rewards = dict(
        RewardEntry.objects.filter(created_at__date__gte=since)
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    rejects = dict(
        Referral.objects.filter(created_at__date__gte=since, status="rejected")
        .values_list("reject_reason")
        .annotate(n=Count("pk"))
        .values_list("reject_reason", "n")
    )
    return {"by_source": by_source, "rewards": rewards, "rejects": rejects}


def default_range(today: date) -> tuple[date, date]:
    return month_floor(today - timedelta(days=335)), today


def export_for_customer(customer_id: int) -> dict[str, Any]:
    """Surveys and answers, save-desk entries, churn score and referrals made by the customer
    (the people they referred are counted, not shown: they are someone else's data)."""
    from cskh.cx.models import ContractAttributes, ReferralCode, SurveyOptOut

    churn = ChurnScore.objects.filter(customer_id=customer_id).first()
    contract = ContractAttributes.objects.filter(customer_id=customer_id).first()
    code = ReferralCode.objects.filter(customer_id=customer_id).first()
    return {
        "surveys": [
            {
                "kind": s.kind,
                "touchpoint": s.touchpoint,
                "status": s.status,
                "sent_at": s.sent_at.isoformat() if s.sent_at else None,
                "answered_at": s.answered_at.isoformat() if s.answered_at else None,
                "score": s.score,
                "comment": s.comment,
            }
            for s in Survey.objects.filter(customer_id=customer_id).order_by("id")
        ],
        "survey_opt_out": SurveyOptOut.objects.filter(customer_id=customer_id).exists(),
        "retention": [
            {
                "reason": e.reason,
                "outcome": e.outcome,
                "note": e.note,
                "created_at": e.created_at.isoformat(),
            }
            for e in RetentionEntry.objects.filter(customer_id=customer_id).order_by("id")
        ],
        "churn_score": (
            {
                "score": churn.score,
                "reasons": churn.reasons,
                "scored_at": churn.scored_at.isoformat(),
            }
            if churn
            else None
        ),
        "contract": (
            {
                "contract_type": contract.contract_type,
                "monthly_charge": contract.monthly_charge,
                "payment_method": contract.payment_method,
            }
            if contract
            else None
        ),
        "referral_code": code.code if code else None,
        "referrals_made": Referral.objects.filter(referrer_id=customer_id).count(),
    }
