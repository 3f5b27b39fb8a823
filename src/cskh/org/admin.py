from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cskh.core.admin import AuditedAdmin
from cskh.org.models import ApiToken, ServiceArea, Unit, User
from cskh.org.services import revoke_api_token


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    autocomplete_fields = ["ward"]
    extra = 1


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "parent", "is_default", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceAreaInline]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "unit", "extension", "is_active")
    list_filter = ("role", "unit", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            _("Chăm sóc khách hàng"),
            {"fields": ("role", "unit", "extension", "languages", "case_types")},
        ),
    )
    filter_horizontal = ("case_types", "groups", "user_permissions")


@admin.action(description=_("Thu hồi token đã chọn"))
def revoke_tokens(modeladmin, request, queryset) -> None:
    tokens = list(queryset.filter(revoked_at__isnull=True))
    for token in tokens:
        revoke_api_token(token=token, actor=request.user)
    modeladmin.message_user(
        request,
        gettext("Đã thu hồi %(n)d token.") % {"n": len(tokens)},
        messages.SUCCESS,
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only but for the revoke action (cskh.org.services: audit row, caches). A token is
    created with `cskh token create`, which prints it once; only its hash is stored."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
    actions = [revoke_tokens]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
