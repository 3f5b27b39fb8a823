from django.contrib import admin

from cskh.core.admin import AuditedAdmin, ReadOnlyAdmin
from cskh.sla.models import EscalationRule, SlaClock


@admin.register(EscalationRule)
class EscalationRuleAdmin(AuditedAdmin):
    list_display = ("percent", "target", "case_type", "is_active")
    list_filter = ("target", "is_active")


@admin.register(SlaClock)
class SlaClockAdmin(ReadOnlyAdmin):
    """Clocks are run by cskh.sla.services (case hooks, the scheduled escalation scan)."""

    list_display = ("case", "state", "due_at", "level", "next_check_at", "met")
    list_filter = ("state", "met", "level")
    raw_id_fields = ("case",)
