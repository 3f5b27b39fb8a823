from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulerConfig(AppConfig):
    name = "cskh.scheduler"
    label = "scheduler"
    verbose_name = _("Lịch chạy định kỳ")
