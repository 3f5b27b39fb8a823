from django.contrib import admin

from cskh.customers.models import Customer, Phone, ServicePoint


class PhoneInline(admin.TabularInline):
    model = Phone
    extra = 0


class ServicePointInline(admin.TabularInline):
    model = ServicePoint
    extra = 0
    raw_id_fields = ("ward",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "full_name", "segment", "ward", "created_at")
    list_filter = ("segment",)
    search_fields = ("code", "name_folded", "phones__e164")
    raw_id_fields = ("ward",)
    readonly_fields = ("name_folded",)
    inlines = [PhoneInline, ServicePointInline]
    show_full_result_count = False
