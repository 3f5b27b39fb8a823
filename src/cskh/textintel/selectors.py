"""Reads of text analyses for the desk (sentiment chip, angry repeat caller) and of model
versions."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cskh.textintel.models import InboundAnalysis, ModelVersion

if TYPE_CHECKING:
    from cskh.cases.models import Case
    from cskh.customers.models import Customer


def analysis_for_case(case: Case) -> InboundAnalysis | None:
    """Latest stored analysis of a case's inbound text (sentiment, sentiment_score, complaint,
    urgent, urgency_reasons) or None."""
    return InboundAnalysis.objects.filter(case=case).order_by("-created_at", "-id").first()


def customer_mood(customer: Customer, *, days: int = 30) -> dict[str, Any]:
    """For "an angry repeat caller is visible at a glance": counts over the customer's cases in
    the last ``days`` days: {"cases", "negative", "complaints", "urgent", "angry_repeat"}."""
    since = timezone.now() - timedelta(days=days)
    agg = InboundAnalysis.objects.filter(case__customer=customer, created_at__gte=since).aggregate(
        cases=Count("case", distinct=True),
        negative=Count("id", filter=Q(sentiment="negative")),
        complaints=Count("id", filter=Q(complaint=True)),
        urgent=Count("id", filter=Q(urgent=True)),
    )
    agg["angry_repeat"] = agg["cases"] >= 2 and (agg["negative"] + agg["complaints"]) >= 2
    return agg


def model_versions(profile: str | None = None) -> QuerySet[ModelVersion]:
    qs = ModelVersion.objects.defer("model").order_by("profile", "-trained_at", "-id")
    return qs.filter(profile=profile) if profile else qs
