from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cskh.privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")
