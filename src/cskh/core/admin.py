from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from cskh.core import reference
from cskh.core.models import AuditLog

if TYPE_CHECKING:
    ModelAdminBase = admin.ModelAdmin[Model]
else:  # ModelAdmin takes no type argument at run time
    ModelAdminBase = admin.ModelAdmin


class AuditedAdmin(ModelAdminBase):
    """For reference/configuration rows the admin edits (cskh.core.reference): each save or
    delete, one by one or in bulk, writes its audit row."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        reference.save(obj=obj, actor=request.user, created=not change, fields=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        reference.delete(obj=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            reference.delete(obj=obj, actor=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (calendar days off, a unit's wards, …) are audited one by one too."""
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            reference.delete(obj=obj, actor=request.user)
        for obj in formset.new_objects:
            reference.save(obj=obj, actor=request.user, created=True)
        for obj, fields in formset.changed_objects:
            reference.save(obj=obj, actor=request.user, created=False, fields=fields)
        formset.save_m2m()


class ReadOnlyAdmin(ModelAdminBase):
    """For records that only the app's services write (events, logs, delivery state): the
    admin shows them, and every change goes through the desk, the API or a command."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action")
