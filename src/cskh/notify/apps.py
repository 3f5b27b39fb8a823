from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "cskh.notify"
    label = "notify"
    verbose_name = _("Thông báo khách hàng")

    def ready(self) -> None:
        from cskh.core.observability import register_collector
        from cskh.notify.metrics import OutboxCollector

        register_collector(OutboxCollector())
