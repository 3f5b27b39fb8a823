from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "cskh.webhooks"
    label = "webhooks"
    verbose_name = _("Webhook cho đối tác tích hợp")

    def ready(self) -> None:
        from cskh.core import refcache
        from cskh.core.observability import register_collector
        from cskh.webhooks.metrics import WebhookCollector
        from cskh.webhooks.models import Subscription

        register_collector(WebhookCollector())

        # the hooks ask "who listens to this event?" on every case change: cached per process;
        # the counters a delivery updates (failures, last success) do not invalidate it
        refcache.watch(
            Subscription,
            "webhooks.subscribers",
            ignore_fields=(
                "consecutive_failures",
                "last_success_at",
                "last_failure_at",
                "updated_at",
            ),
        )
