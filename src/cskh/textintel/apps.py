from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextintelConfig(AppConfig):
    name = "cskh.textintel"
    label = "textintel"
    verbose_name = _("Hiểu văn bản tiếng Việt")
