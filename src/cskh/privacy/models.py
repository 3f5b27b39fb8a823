"""Personal-data rights: data-subject requests and the access log (who read whose data)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataSubjectRequest(models.Model):
    """A customer's request about their personal data (Law 91/2025/QH15, the data subject's
    rights): filed by an agent on their behalf (or the customer portal later), worked by the
    data-protection officer before its deadline. Every step is in core.AuditLog."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Xem / xuất dữ liệu")
        CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
        RESTRICTION = "restriction", _("Hạn chế xử lý")
        WITHDRAWAL = "withdrawal", _("Rút lại sự đồng ý")
        ERASURE = "erasure", _("Xoá dữ liệu")

    class Channel(models.TextChoices):
        AGENT = "agent", _("Tư vấn viên thay mặt khách hàng")
        PORTAL = "portal", _("Cổng khách hàng")
        PAPER = "paper", _("Văn bản / tại quầy")

    class Status(models.TextChoices):
        OPEN = "open", _("Mới")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        DONE = "done", _("Đã hoàn thành")
        REJECTED = "rejected", _("Từ chối")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("khách hàng"),
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=Kind.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    details = models.TextField(_("nội dung yêu cầu"), blank=True)
    # withdrawal: the purpose; correction: {"field": value}; restriction: on/off
    payload = models.JSONField(default=dict, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người phụ trách"),
    )
    created_at = models.DateTimeField(_("tiếp nhận lúc"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("kết quả"), blank=True)

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        indexes = [
            models.Index(fields=["status", "due_at"], name="dsr_open_due"),
            models.Index(fields=["customer", "-created_at"], name="dsr_customer"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class AccessLog(models.Model):
    """One read of a customer's personal data: small rows, append-only (no update path; purged
    only by the retention job). ``user_id``/``customer_id`` are plain integers, not foreign
    keys: an insert costs one index-light write and the log outlives a deleted user."""

    class Action(models.TextChoices):
        CARD = "card", _("Mở thẻ khách hàng")
        SEARCH = "search", _("Tra cứu số điện thoại")
        EXPORT = "export", _("Xuất dữ liệu")
        VIEW = "view", _("Xem dữ liệu cá nhân")
        ERASE = "erase", _("Xoá dữ liệu")

    at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True)
    customer_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    # a phone searched (E.164), an export format, a page: what was looked at
    detail = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập dữ liệu")
        verbose_name_plural = _("nhật ký truy cập dữ liệu")
        indexes = [models.Index(fields=["customer_id", "-at"], name="access_customer")]

    def __str__(self) -> str:
        return f"{self.at} {self.user_id} {self.action} {self.customer_id}"
