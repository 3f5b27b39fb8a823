from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "cskh.catalog"
    label = "catalog"
    verbose_name = _("Danh mục nghiệp vụ")

    def ready(self):
        from cskh.catalog.models import (
            BusinessCalendar,
            CalendarDayOff,
            CaseType,
            Profile,
            RoutingRule,
            SlaPolicy,
        )
        from cskh.core import refcache

        refcache.watch(BusinessCalendar, CalendarDayOff, CaseType, Profile, RoutingRule, SlaPolicy)
