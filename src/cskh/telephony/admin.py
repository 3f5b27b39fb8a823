from django.contrib import admin

from cskh.telephony.models import AgentPresence, CallbackTask, CallEvent


@admin.register(CallEvent)
class CallEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "call_id", "event", "from_e164", "agent", "interaction")
    list_filter = ("event",)
    search_fields = ("call_id", "from_e164")
    readonly_fields = [f.name for f in CallEvent._meta.fields]


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ("user", "state", "since")
    list_filter = ("state",)


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin):
    list_display = ("from_e164", "day", "count", "status", "unit", "customer", "last_missed_at")
    list_filter = ("status", "day")
    search_fields = ("from_e164",)
    raw_id_fields = ("customer", "last_interaction")
