from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "cskh.geo"
    label = "geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self):
        from cskh.core import refcache
        from cskh.geo.models import Province, Ward

        refcache.watch(Province, "geo.wards")
        refcache.watch(Ward, "geo.wards")
