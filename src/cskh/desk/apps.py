from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "cskh.desk"
    label = "desk"
    verbose_name = _("Bàn làm việc tư vấn viên")
