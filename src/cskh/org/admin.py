from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cskh.org.models import ApiToken, ServiceArea, Unit, User


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    autocomplete_fields = ["ward"]
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_default", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceAreaInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "unit", "extension", "is_active")
    list_filter = ("role", "unit", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Chăm sóc khách hàng"),
            {"fields": ("role", "unit", "extension", "languages", "case_types")},
        ),
    )
    filter_horizontal = ("case_types", "groups", "user_permissions")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
