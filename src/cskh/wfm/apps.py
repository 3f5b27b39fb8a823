from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WfmConfig(AppConfig):
    name = "cskh.wfm"
    label = "wfm"
    verbose_name = _("Quản lý nhân lực (WFM)")
