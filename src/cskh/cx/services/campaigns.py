"""NPS campaigns: a seeded random sample of a customer segment, fed to the survey scheduler
`per_tick` customers at a time (throttled), from `starts_at` on."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.cx.models import NpsCampaign, Survey, Touchpoint
from cskh.cx.services import surveys

SEGMENT_KEYS = frozenset(
    {"tenure_min_months", "tenure_max_months", "plan_contains", "province_code", "ward_codes"}
)


def segment_queryset(segment: dict[str, Any], today: date) -> QuerySet[Any]:
    """Customers of a segment: tenure (months since the first service started), plan,
    province or wards. Only customers with an active service are sampled."""
    from cskh.customers.models import Customer

    qs = Customer.objects.filter(service_points__status="active")
    if segment.get("plan_contains"):
        qs = qs.filter(service_points__plan__icontains=str(segment["plan_contains"]))
    if segment.get("province_code"):
        qs = qs.filter(ward__province_id=int(segment["province_code"]))
    if segment.get("ward_codes"):
        qs = qs.filter(ward_id__in=[int(w) for w in segment["ward_codes"]])
    qs = qs.annotate(first_start=Min("service_points__start_date"))
    if segment.get("tenure_min_months") is not None:
        qs = qs.filter(
            first_start__lte=today - timedelta(days=30 * int(segment["tenure_min_months"]))
        )
    if segment.get("tenure_max_months") is not None:
        qs = qs.filter(
            Q(first_start__gte=today - timedelta(days=30 * int(segment["tenure_max_months"])))
        )
    return qs.values_list("pk", flat=True).distinct()


@transaction.atomic
def create(
    *,
    name: str,
    segment: dict[str, Any],
    sample_size: int,
    per_tick: int = 100,
    starts_at: datetime,
    seed: int = 0,
    actor: Actor = None,
) -> NpsCampaign:
    unknown = set(segment) - SEGMENT_KEYS
    if unknown:
        raise DomainError(
            _("Tiêu chí phân khúc không hợp lệ: %(k)s") % {"k": ", ".join(sorted(unknown))},
            code="bad_segment",
        )
    if sample_size <= 0 or per_tick <= 0:
        raise DomainError(_("Cỡ mẫu và số tin mỗi lượt phải lớn hơn 0."), code="bad_sample")
    campaign = NpsCampaign.objects.create(
        name=name.strip()[:200] or _("Khảo sát NPS"),
        segment=segment,
        sample_size=sample_size,
        per_tick=per_tick,
        starts_at=starts_at,
        seed=seed,
        status=NpsCampaign.Status.RUNNING,
    )
    audit.record(actor=actor, action="cx.campaign.create", obj=campaign, changes=segment)
    return campaign


def sample(campaign: NpsCampaign, today: date) -> list[int]:
    ids = sorted(segment_queryset(campaign.segment, today))
    rng = random.Random(campaign.seed or campaign.pk)
    return rng.sample(ids, min(campaign.sample_size, len(ids)))


def feed(*, now: datetime) -> int:
    """Schedule the next `per_tick` surveys of every running campaign that has started."""
    scheduled = 0
    running = NpsCampaign.objects.filter(status=NpsCampaign.Status.RUNNING, starts_at__lte=now)
    for campaign in running:
        with transaction.atomic():
            c = NpsCampaign.objects.select_for_update().get(pk=campaign.pk)
            if c.status != NpsCampaign.Status.RUNNING:
                continue
            chosen = sample(c, timezone.localdate(now))
            batch = chosen[c.sampled : c.sampled + c.per_tick]
            for customer_id in batch:
                surveys.schedule(
                    kind=Survey.Kind.NPS,
                    touchpoint=Touchpoint.CAMPAIGN,
                    source_key=f"nps:{c.pk}:{customer_id}",
                    customer_id=customer_id,
                    campaign_id=c.pk,
                    channel="campaign",
                    now=now - timedelta(minutes=settings.CSKH_CX_SURVEY_DELAY_MINUTES),
                )
            c.sampled += len(batch)
            if c.sampled >= len(chosen):
                c.status = NpsCampaign.Status.DONE
            c.save(update_fields=["sampled", "status"])
            scheduled += len(batch)
    return scheduled
