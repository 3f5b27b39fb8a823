from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "cskh.org"
    label = "org"
    verbose_name = _("Tổ chức")

    def ready(self):
        from cskh.core import refcache
        from cskh.org.models import ApiToken, ServiceArea, Unit, User

        refcache.watch(ApiToken, ServiceArea, Unit, User)
