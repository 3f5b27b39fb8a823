from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cskh.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        from cskh.core import hooks  # noqa: F401  registers the hook-order system check
