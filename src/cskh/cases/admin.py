from django.contrib import admin

from cskh.cases.models import Case, CaseEvent, Interaction
from cskh.core.admin import ReadOnlyAdmin


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "actor", "public", "body", "data", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases open and change only through cskh.cases.services (desk, API)."""

    list_display = ("number", "customer", "case_type", "status", "priority", "unit", "due_at")
    list_filter = ("status", "channel", "priority")
    search_fields = ("number",)
    raw_id_fields = ("customer", "service_point", "assigned_agent", "created_by")
    show_full_result_count = False
    inlines = [CaseEventInline]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "channel",
        "from_address",
        "agent",
        "state",
        "started_at",
        "duration_seconds",
    )
    list_filter = ("channel", "state")
    raw_id_fields = ("customer", "agent", "cases")
    show_full_result_count = False
