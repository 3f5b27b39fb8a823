from django.contrib import admin

from cskh.notify.models import DeliveryAttempt, Notification, Template


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "channel", "subject", "is_active", "updated_at")
    list_filter = ("channel", "is_active")
    search_fields = ("code", "subject", "body")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "worker",
        "outcome",
        "error",
        "provider_message_id",
        "started_at",
        "finished_at",
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "template", "channel", "to", "status", "attempts", "created_at")
    list_filter = ("status", "channel", "template")
    search_fields = ("to", "dedupe_key")
    raw_id_fields = ("customer", "user", "case")
    inlines = [AttemptInline]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
