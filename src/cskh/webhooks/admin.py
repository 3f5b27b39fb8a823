"""Webhooks in the Django admin: managers create, edit, switch off, rotate and ping
subscriptions (through the services: URL check, audit) and read the delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cskh.core.admin import ModelAdminBase, ReadOnlyAdmin
from cskh.core.errors import DomainError
from cskh.webhooks import security, services
from cskh.webhooks.models import Attempt, Delivery, Event, Subscription


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("sự kiện"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip()
        try:
            security.check_url(url)
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc
        return url


@admin.register(Subscription)
class SubscriptionAdmin(ModelAdminBase):
    form = SubscriptionForm
    list_display = (
        "name",
        "url",
        "is_active",
        "consecutive_failures",
        "last_success_at",
        "last_failure_at",
        "created_by",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("disabled_reason", "disabled_at", "consecutive_failures", "created_by")
    actions = ["rotate_secret", "send_ping"]

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        assert isinstance(obj, Subscription)
        data = form.cleaned_data
        if change:
            services.update_subscription(
                subscription=obj,
                actor=request.user,
                name=data["name"],
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
            )
            return
        sub, secret = services.create_subscription(
            name=data["name"],
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
            actor=request.user,
        )
        obj.pk = sub.pk
        messages.warning(
            request,
            _("Khóa bí mật (chỉ hiện một lần, hãy lưu lại): %(s)s") % {"s": secret},
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        assert isinstance(obj, Subscription)
        services.delete_subscription(subscription=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            services.delete_subscription(subscription=obj, actor=request.user)

    @admin.action(description=_("Đổi khóa bí mật"), permissions=["change"])
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for sub in queryset:
            _sub, secret = services.rotate_secret(subscription=sub, actor=request.user)
            messages.warning(
                request,
                _("Khóa bí mật mới của “%(n)s” (chỉ hiện một lần): %(s)s")
                % {"n": sub.name, "s": secret},
            )

    @admin.action(description=_("Gửi thử (ping)"), permissions=["change"])
    def send_ping(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for sub in queryset:
            try:
                services.ping(subscription=sub, actor=request.user)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.info(request, _("Đã xếp hàng gửi thử tới “%(n)s”.") % {"n": sub.name})


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "started_at",
        "latency_ms",
        "status_code",
        "ok",
        "error",
        "response_excerpt",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: written only by the services and the outbox sender."""

    list_display = ("uid", "subscription", "event", "status", "attempts", "created_at")
    list_filter = ("status", "event")
    search_fields = ("uid", "event_id")
    inlines = [AttemptInline]
