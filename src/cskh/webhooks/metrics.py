"""Prometheus collector of outgoing webhooks (registered in WebhooksConfig.ready)."""

from collections.abc import Iterator
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class WebhookCollector(Collector):
    """Subscriptions by state and the last day's deliveries by status, read when scraped."""

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("cskh_webhook_subscriptions", "", labels=["state"])
        yield GaugeMetricFamily("cskh_webhook_deliveries_24h", "", labels=["status"])

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count
        from django.utils import timezone

        from cskh.webhooks.models import Delivery, Subscription

        subs = GaugeMetricFamily(
            "cskh_webhook_subscriptions",
            "Webhook subscriptions: active, failing (active with failures in a row), disabled",
            labels=["state"],
        )
        active = Subscription.objects.filter(is_active=True)
        subs.add_metric(["active"], active.count())
        subs.add_metric(["failing"], active.filter(consecutive_failures__gt=0).count())
        subs.add_metric(["disabled"], Subscription.objects.filter(is_active=False).count())
        deliveries = GaugeMetricFamily(
            "cskh_webhook_deliveries_24h",
            "Webhook deliveries created in the last 24 hours, by status",
            labels=["status"],
        )
        since = timezone.now() - timedelta(days=1)
        counts = dict(
            Delivery.objects.filter(created_at__gte=since)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        for status in Delivery.Status.values:
            deliveries.add_metric([status], int(counts.get(status, 0)))
        yield subs
        yield deliveries
