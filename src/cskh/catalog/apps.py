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

        # Case types are cached with their profile, SLA policy and calendar (select_related).
        refcache.watch(Profile, "catalog.active_profile", "catalog.case_type")
        refcache.watch(CaseType, "catalog.case_type")
        refcache.watch(SlaPolicy, "catalog.case_type")
        refcache.watch(BusinessCalendar, "catalog.case_type", "sla.calendar")
        refcache.watch(CalendarDayOff, "catalog.case_type", "sla.calendar")
        refcache.watch(RoutingRule, "catalog.routing_rules")
