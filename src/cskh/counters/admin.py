from django.contrib import admin

from cskh.counters.models import Appointment, Counter, Office, Service, Ticket


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    filter_horizontal = ("services",)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "address", "opens_at", "closes_at", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("ward",)
    inlines = [ServiceInline, CounterInline]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("office", "number", "name", "is_active")
    list_filter = ("office",)
    filter_horizontal = ("services",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("code", "office", "service", "start", "full_name", "phone", "status")
    list_filter = ("office", "status")
    search_fields = ("code", "phone", "full_name")
    raw_id_fields = ("customer",)
    date_hierarchy = "start"


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the counter page (services)."""

    list_display = ("number", "office", "service", "day", "state", "counter", "wait_seconds")
    list_filter = ("office", "state")
    date_hierarchy = "day"
    search_fields = ("number", "phone")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
