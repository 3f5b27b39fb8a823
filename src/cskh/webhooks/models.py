"""Outgoing webhooks: who listens to which events (Subscription), each event sent to one
subscription (Delivery, its id is the receiver's idempotency key) and every HTTP attempt
(Attempt, the delivery log). Retries and leases are the notification outbox's (channel
``webhook``); this app owns only its three tables."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    CASE_OPENED = "case.opened", _("Yêu cầu mới")
    CASE_CHANGED = "case.changed", _("Yêu cầu thay đổi (trạng thái, phân công, mức ưu tiên)")
    INCIDENT_CHANGED = "incident.changed", _("Sự cố thay đổi")
    CONVERSATION_MESSAGE = "conversation.message", _("Tin nhắn trong hội thoại")


PING = "ping"  # the test delivery; not subscribable


class Subscription(models.Model):
    name = models.CharField(_("tên"), max_length=100)
    url = models.URLField(_("địa chỉ nhận"), max_length=1000)
    events = models.JSONField(_("sự kiện"), default=list)
    # The HMAC key: kept readable (it signs every delivery), shown to people only when created
    # or rotated. After a rotation the previous key also signs until previous_secret_until.
    secret = models.CharField(max_length=80)
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    disabled_reason = models.CharField(_("lý do tắt"), max_length=200, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ gửi")
        SUCCEEDED = "succeeded", _("Thành công")
        FAILED = "failed", _("Thất bại")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("sự kiện"), max_length=40)
    event_id = models.UUIDField()
    # the exact JSON text sent (the signature covers these bytes)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    redeliveries = models.PositiveSmallIntegerField(default=0)
    # the outbox row now carrying it (notify.Notification; a redelivery makes a new one)
    notification_id = models.BigIntegerField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần chuyển webhook")
        verbose_name_plural = _("lần chuyển webhook")
        indexes = [
            models.Index(fields=["subscription", "-id"], name="wh_delivery_sub"),
            models.Index(fields=["created_at"], name="wh_delivery_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.uid}"


class Attempt(models.Model):
    """One HTTP request of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    latency_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("lần gửi webhook")
        ordering = ["delivery", "number"]
        indexes = [models.Index(fields=["delivery", "number"], name="wh_attempt_delivery")]
