"""Admin: grouping thresholds, incidents (read-mostly: state changes go through the pages/API),
and the planned-outage import (Admin → Sự cố → Nhập lịch ngừng cấp điện)."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cskh.core.admin import AuditedAdmin, ReadOnlyAdmin
from cskh.incidents.models import Incident, IncidentRule, ScheduleImport


@admin.register(IncidentRule)
class IncidentRuleAdmin(AuditedAdmin):
    list_display = ("level", "min_cases", "window_minutes", "min_children", "is_active")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "status", "title", "unit", "started_at", "eta")
    list_filter = ("kind", "status")
    search_fields = ("title", "schedule_code")
    readonly_fields = [f.name for f in Incident._meta.fields]
    change_list_template = "admin/incidents/incident_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # state changes go through cskh.incidents.services (pages, API)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="incidents_incident_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        from cskh.incidents.views import planned_import

        return planned_import(
            request,
            template="admin/incidents/import.html",
            extra={
                **self.admin_site.each_context(request),
                "title": _("Nhập lịch ngừng cấp điện"),
                "opts": self.model._meta,
                "changelist_url": reverse("admin:incidents_incident_changelist"),
            },
        )


@admin.register(ScheduleImport)
class ScheduleImportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "rows", "created", "updated", "cancelled", "actor", "created_at")
