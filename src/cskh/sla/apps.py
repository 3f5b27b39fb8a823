from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "cskh.sla"
    label = "sla"
    verbose_name = _("Cam kết thời gian (SLA)")

    def ready(self):
        from cskh.core import refcache
        from cskh.sla.models import EscalationRule

        refcache.watch(EscalationRule, "sla.ladder")
