from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "cskh.geo"
    label = "geo"
    verbose_name = _("Đơn vị hành chính")

    def ready(self):
        from cskh.core import refcache
        from cskh.geo.models import LegacyWard, Province, Ward

        refcache.watch(Province, "geo.wards", "geo.address")
        refcache.watch(Ward, "geo.wards", "geo.address")
        refcache.watch(LegacyWard, "geo.address")
