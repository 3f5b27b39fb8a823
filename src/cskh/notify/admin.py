from django import forms
from django.contrib import admin
from django.template import Engine, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from cskh.core.admin import AuditedAdmin, ReadOnlyAdmin
from cskh.notify.models import DeliveryAttempt, Notification, Template

VARIABLES = _(
    "Biến dùng được: {{ case_number }}, {{ case_type }}, {{ unit_name }}, {{ due_at }}, "
    "{{ expected_at }}, {{ resolution }}, {{ question }}, {{ incident_number }}, {{ eta }}, "
    "{{ percent }}. Cú pháp mẫu Django, ví dụ {% if due_at %}…{% endif %}."
)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ["code", "channel", "subject", "body", "zns_template_id", "is_active"]
        help_texts = {"body": VARIABLES}

    def _check(self, field: str) -> str:
        value = self.cleaned_data.get(field) or ""
        try:
            Engine(autoescape=False).from_string(value)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(
                _("Mẫu không hợp lệ: %(e)s") % {"e": exc}, code="bad_template"
            ) from exc
        return value

    def clean_body(self) -> str:
        return self._check("body")

    def clean_subject(self) -> str:
        return self._check("subject")


@admin.register(Template)
class TemplateAdmin(AuditedAdmin):
    form = TemplateForm
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
class NotificationAdmin(ReadOnlyAdmin):
    """The outbox belongs to cskh.notify.services and the delivery worker."""

    list_display = ("id", "template", "channel", "to", "status", "attempts", "created_at")
    list_filter = ("status", "channel", "template")
    search_fields = ("to", "dedupe_key")
    raw_id_fields = ("customer", "user", "case")
    inlines = [AttemptInline]
