"""Work orders: what a field unit must do for a case, with the facts it needs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrder(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Đã gửi đơn vị")
        ACCEPTED = "accepted", _("Đơn vị đã nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý hiện trường")
        DONE = "done", _("Hoàn thành")
        REJECTED = "rejected", _("Đơn vị từ chối")
        REDISPATCHED = "redispatched", _("Đã chuyển đơn vị khác")
        CANCELLED = "cancelled", _("Đã hủy")

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="work_orders",
        verbose_name=_("yêu cầu"),
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("đơn vị"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.SENT
    )
    is_active = models.BooleanField(default=True)
    # Facts snapshot at dispatch time: the field team works from these even if records change.
    customer_name = models.CharField(_("khách hàng"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    ward_name = models.CharField(_("phường/xã"), max_length=200, blank=True)
    service_point_code = models.CharField(_("điểm dịch vụ"), max_length=40, blank=True)
    network_position = models.CharField(_("tuyến dây / trạm"), max_length=80, blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    description = models.TextField(_("nội dung"))
    instructions = models.TextField(_("ghi chú của trung tâm"), blank=True)
    expected_at = models.DateTimeField(_("hạn hoàn thành"), null=True, blank=True)
    info_requested = models.BooleanField(_("đang hỏi trung tâm"), default=False)
    resolution = models.TextField(_("kết quả xử lý"), blank=True)
    reason = models.CharField(_("lý do chuyển / từ chối / hủy"), max_length=500, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("gửi lúc"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phiếu công tác")
        verbose_name_plural = _("phiếu công tác")
        indexes = [
            models.Index(fields=["unit", "is_active", "-id"], name="wo_unit_active"),
            models.Index(fields=["is_active", "expected_at"], name="wo_active_expected"),
            models.Index(fields=["case", "-id"], name="wo_case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(is_active=True), name="uniq_active_wo_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"WO-{self.pk}"

    @property
    def code(self) -> str:
        return f"WO-{self.pk:06d}"


EVENT_LABELS = {
    "dispatched": _("Gửi đơn vị"),
    "redispatched": _("Chuyển đơn vị khác"),
    "accepted": _("Đơn vị nhận phiếu"),
    "progress": _("Cập nhật tiến độ"),
    "on_the_way": _("Nhân viên đang đến"),
    "info_requested": _("Hỏi thêm thông tin"),
    "info_provided": _("Trung tâm trả lời"),
    "done": _("Hoàn thành"),
    "rejected": _("Đơn vị trả lại"),
    "cancelled": _("Hủy phiếu"),
}


class WorkOrderEvent(models.Model):
    """Append-only log of a work order (also mirrored on the case timeline, kind "dispatch")."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["work_order", "id"], name="woevent_wo")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("WorkOrderEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("WorkOrderEvent is append-only")

    @property
    def label(self) -> str:
        """The event kind for people (the kind itself when unknown)."""
        return str(EVENT_LABELS.get(self.kind, self.kind))


def attachment_path(instance, filename: str) -> str:
    return f"dispatch/{instance.work_order_id}/{instance.stored_name}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        BRIEF = "brief", _("Hồ sơ gửi đơn vị")
        RESULT = "result", _("Ảnh/biên bản kết quả")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    stored_name = models.CharField(max_length=100)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.BRIEF)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
