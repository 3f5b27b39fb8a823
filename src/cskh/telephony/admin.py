from django.contrib import admin

from cskh.core.admin import ReadOnlyAdmin
from cskh.telephony.models import AgentPresence, CallbackTask, CallEvent


@admin.register(CallEvent)
class CallEventAdmin(ReadOnlyAdmin):
    """Telephony records are written by cskh.telephony.services (call events, presence,
    missed-call callbacks); the admin only shows them."""

    list_display = ("received_at", "call_id", "event", "from_e164", "agent", "interaction")
    list_filter = ("event",)
    search_fields = ("call_id", "from_e164")


@admin.register(AgentPresence)
class AgentPresenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "state", "since")
    list_filter = ("state",)


@admin.register(CallbackTask)
class CallbackTaskAdmin(ReadOnlyAdmin):
    list_display = ("from_e164", "day", "count", "status", "unit", "customer", "last_missed_at")
    list_filter = ("status", "day")
    search_fields = ("from_e164",)
    raw_id_fields = ("customer", "last_interaction")
