"""The outbox: templates, notifications (written in the caller's transaction) and attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo ZNS")
    EMAIL = "email", _("Email")
    # replies in a written conversation (cskh.conversations), sent by its gateway adapters
    ZALO_OA = "zalo_oa", _("Zalo OA (tin tư vấn)")
    FACEBOOK = "facebook", _("Facebook Messenger")
    WEBCHAT = "webchat", _("Chat trên web")
    # outgoing webhooks to integrators (cskh.webhooks: signed HTTP POST, its delivery log)
    WEBHOOK = "webhook", _("Webhook")


class Template(models.Model):
    """A Vietnamese message template. Variables use Django template syntax: {{ case_number }}."""

    code = models.CharField(_("mã"), max_length=48)
    channel = models.CharField(_("kênh"), max_length=8, choices=ChannelKind.choices)
    subject = models.CharField(_("tiêu đề (email)"), max_length=200, blank=True)
    body = models.TextField(_("nội dung"))
    zns_template_id = models.CharField(_("mã mẫu ZNS"), max_length=32, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ["code", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["code", "channel"], name="uniq_template_code_channel")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel})"


class Notification(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi thất bại")
        SKIPPED = "skipped", _("Bỏ qua")

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        help_text=_("Người nhận nội bộ (leo thang SLA)."),
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    incident_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    template = models.CharField(_("mẫu"), max_length=48)
    # why the message is sent (customers.Purpose): a customer without consent for it is skipped
    purpose = models.CharField(_("mục đích"), max_length=16, default="service")
    channel = models.CharField(_("kênh"), max_length=8, choices=ChannelKind.choices)
    to = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("nội dung"))
    # Zalo ZNS sends a registered template by id with its parameters, never free text:
    # copied from Template.zns_template_id and the variables its body uses, when queued.
    zns_template_id = models.CharField(_("mã mẫu ZNS"), max_length=32, blank=True)
    template_data = models.JSONField(_("tham số mẫu ZNS"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When pending: earliest time to try. When sending: the lease expiry (a crashed worker's
    # claim becomes claimable again after it).
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notif_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["case", "id"], name="notif_case"),
            models.Index(fields=["customer", "-id"], name="notif_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable RFC 5322 Message-ID derived from the dedupe key: a resend after a crash carries
        the same id, so the receiving side can drop the duplicate."""
        import hashlib

        digest = hashlib.sha256(self.dedupe_key.encode()).hexdigest()[:32]
        domain = settings.CSKH_NOTIFY_MESSAGE_ID_DOMAIN
        return f"<{digest}@{domain}>"


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENT = "sent", _("Thành công")
        FAILED = "failed", _("Lỗi")
        # The worker holding the lease died before recording an outcome: the message may or may
        # not have left. It is retried (at-least-once) with the same Message-ID / idempotency key.
        LOST = "lost", _("Không rõ kết quả (tiến trình gửi bị dừng)")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=64)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần gửi")
        verbose_name_plural = _("lần gửi")
        indexes = [models.Index(fields=["notification", "number"], name="attempt_notif")]
