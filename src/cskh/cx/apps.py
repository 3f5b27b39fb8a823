from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CxConfig(AppConfig):
    name = "cskh.cx"
    label = "cx"
    verbose_name = _("Trải nghiệm khách hàng")
