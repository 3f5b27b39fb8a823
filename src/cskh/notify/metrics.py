"""Prometheus collectors of the outbox (registered in NotifyConfig.ready)."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from cskh.notify.selectors import outbox_stats


class OutboxCollector(Collector):
    """Outbox depth per status and lag, read from the database when Prometheus scrapes."""

    def describe(self) -> Iterator[Metric]:
        """Names only: the registry asks at registration, before the database may exist."""
        yield GaugeMetricFamily("cskh_outbox_messages", "", labels=["status"])
        yield GaugeMetricFamily("cskh_outbox_lag_seconds", "")

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "cskh_outbox_messages",
            "Outbox rows per status (pending, sending, failed)",
            labels=["status"],
        )
        lag = GaugeMetricFamily(
            "cskh_outbox_lag_seconds", "Age of the oldest message that is due and not yet sent"
        )
        counts, oldest_due_age = outbox_stats()
        for status, n in counts.items():
            depth.add_metric([status], n)
        lag.add_metric([], oldest_due_age)
        yield depth
        yield lag
