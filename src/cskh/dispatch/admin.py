"""Work orders in the admin: read-only (every change goes through cskh.dispatch.services)."""

from django.contrib import admin

from cskh.dispatch.models import Attachment, WorkOrder, WorkOrderEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "body")
    readonly_fields = fields
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "purpose", "size", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnly):
    list_display = ("__str__", "case", "unit", "status", "is_active", "expected_at", "created_at")
    list_filter = ("status", "is_active", "info_requested", "unit")
    search_fields = ("case__number", "customer_name", "contact_phone", "service_point_code")
    list_select_related = ("case", "unit")
    raw_id_fields = ("case", "previous")
    inlines = [EventInline, AttachmentInline]
    show_full_result_count = False
