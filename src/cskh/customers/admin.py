"""Customers in the admin: edits go through cskh.customers.services (name folding, phone
normalisation, audit rows, search reindex); customers are created by the desk, the API or the
import, never here, and not deleted (their cases keep pointing at them)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cskh.core.errors import DomainError
from cskh.core.phones import to_e164
from cskh.customers import services
from cskh.customers.models import Customer, Phone, ServicePoint


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PhoneInline(ReadOnlyInline):
    model = Phone
    fields = ("e164", "label", "is_primary")


class ServicePointInline(ReadOnlyInline):
    model = ServicePoint
    fields = ("code", "kind", "ward")


class CustomerForm(forms.ModelForm):
    new_phone = forms.CharField(
        label=_("thêm số điện thoại"),
        required=False,
        help_text=_("Được chuẩn hoá về dạng +84…; số đã có thì bỏ qua."),
    )

    class Meta:
        model = Customer
        fields = sorted(services.UPDATABLE)

    def clean_new_phone(self) -> str:
        raw = self.cleaned_data.get("new_phone", "").strip()
        if not raw:
            return ""
        try:
            return to_e164(raw)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerForm
    list_display = ("code", "full_name", "segment", "ward", "created_at")
    list_filter = ("segment",)
    search_fields = ("code", "name_folded", "phones__e164")
    readonly_fields = ("code", "ward", "created_at")
    fieldsets = (
        (None, {"fields": ("code", "full_name", "segment", "tags", "ward", "address")}),
        (_("Liên lạc"), {"fields": ("email", "zalo_id", "new_phone", "preferred_channel")}),
        (
            _("Đồng ý nhận tin"),
            {"fields": ("consent_sms", "consent_zalo", "consent_email", "consent_marketing")},
        ),
        (None, {"fields": ("created_at",)}),
    )
    inlines = [PhoneInline, ServicePointInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # the form already copied its values onto `obj`: the service gets a fresh row so its
        # audit diff sees the stored values as "before"
        customer = Customer.objects.get(pk=obj.pk)
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.UPDATABLE}
        if changes:
            services.update_customer(customer=customer, actor=request.user, **changes)
        if phone := form.cleaned_data.get("new_phone"):
            services.add_phone(customer=customer, phone=phone, actor=request.user)
