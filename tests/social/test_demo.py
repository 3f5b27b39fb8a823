"""The demo year of mentions: built from the real models, clusters, replies, an alert."""

from __future__ import annotations

from django.utils import timezone

from cskh.social.models import CrisisAlert, Mention, Reply


def test_demo_year_of_mentions(profile):
    from cskh.demo import social

    counts = social.build(seed=1, now=timezone.now(), profile="electricity", per_day=2)
    n = Mention.objects.count()
    assert n == counts["social mentions"] and n > 365
    assert {"negative", "neutral", "positive"} <= set(
        Mention.objects.values_list("sentiment", flat=True)
    )
    assert (
        Mention.objects.filter(duplicate_of__isnull=False).count()
        == counts["social duplicates"]
        > 0
    )
    assert Reply.objects.count() == counts["social replies"] > 0
    assert CrisisAlert.objects.exists()
    span = Mention.objects.order_by("posted_at").first().posted_at
    assert (timezone.now() - span).days >= 300
