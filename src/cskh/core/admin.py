from django.contrib import admin

from cskh.core.models import AuditLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only the app's services write (events, logs, delivery state): the
    admin shows them, and every change goes through the desk, the API or a command."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action")
