from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cskh.catalog.models import (
    BusinessCalendar,
    CalendarDayOff,
    CaseType,
    Profile,
    RoutingRule,
    SlaPolicy,
)
from cskh.core.admin import AuditedAdmin


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ("code", "name", "is_active")


class DayOffInline(admin.TabularInline):
    model = CalendarDayOff
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    list_display = ("code", "name", "always_open", "use_public_holidays")
    inlines = [DayOffInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "calendar",
        "first_response_minutes",
        "resolution_minutes",
        "rural_resolution_minutes",
    )
    list_filter = ("calendar",)


@admin.register(CaseType)
class CaseTypeAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "profile",
        "default_priority",
        "sla_policy",
        "handler_unit_kind",
        "groups_incidents",
        "is_active",
    )
    list_filter = ("profile", "handler_unit_kind", "is_active")
    search_fields = ("code", "name", "name_folded")
    readonly_fields = ("name_folded",)


@admin.action(description=_("Xem trước: đơn vị nào nhận yêu cầu?"))
def preview_routing(modeladmin, request, queryset):
    from cskh.catalog.services import route

    for rule in queryset.select_related("case_type", "ward", "unit"):
        if rule.case_type is None:
            continue
        unit = route(case_type=rule.case_type, ward_id=rule.ward_id)
        messages.info(
            request,
            _("%(t)s tại %(w)s → %(u)s")
            % {
                "t": rule.case_type.name,
                "w": rule.ward or _("mọi phường/xã"),
                "u": unit or _("(không có đơn vị)"),
            },
        )


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ("case_type", "ward", "unit", "order", "is_active")
    list_filter = ("unit", "is_active", "case_type__profile")
    autocomplete_fields = ("ward",)
    actions = [preview_routing]
