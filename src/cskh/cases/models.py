from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cskh.cases.states import Status
from cskh.catalog.models import Priority


class Channel(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    WEB = "web", _("Website")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    ZALO = "zalo", _("Zalo")
    SOCIAL = "social", _("Mạng xã hội")
    COUNTER = "counter", _("Quầy giao dịch")
    LETTER = "letter", _("Văn bản/thư")
    API = "api", _("API")


class CaseCounter(models.Model):
    year = models.PositiveIntegerField(primary_key=True)
    value = models.PositiveBigIntegerField(default=0)


class Case(models.Model):
    """A customer request. Personal data: retention 5 years after closing."""

    number = models.CharField(_("số yêu cầu"), max_length=24, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("khách hàng"),
        db_index=False,  # case_customer_id (customer, -id) serves it
    )
    service_point = models.ForeignKey(
        "customers.ServicePoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    case_type = models.ForeignKey(
        "catalog.CaseType",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("loại yêu cầu"),
        db_index=False,  # case_type_id (case_type, -id) serves it
    )
    type_confirmed = models.BooleanField(
        _("loại đã được xác nhận"),
        default=True,
        help_text=_("Do người xác nhận/sửa; dùng để huấn luyện lại mô hình phân loại."),
    )
    # a handful of values: an index on it alone never beats the composite ones
    channel = models.CharField(_("kênh"), max_length=16, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(
        _("ưu tiên"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    is_open = models.BooleanField(default=True)
    subject = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    description = models.TextField(_("nội dung"))
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("người xử lý"),
        db_index=False,  # case_agent_open_id (agent, is_open, -id) serves it
    )
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("đơn vị"),
        db_index=False,  # case_unit_open_id (unit, is_open, -id) serves it
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never filtered on; staff are deactivated, not deleted
    )
    first_response_due_at = models.DateTimeField(_("hạn phản hồi"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolved_on_first_contact = models.BooleanField(_("giải quyết ngay"), default=False)
    resolution = models.TextField(_("kết quả giải quyết"), blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    complaint = models.BooleanField(default=False)
    urgent = models.BooleanField(default=False)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("tạo lúc"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("yêu cầu")
        verbose_name_plural = _("yêu cầu")
        indexes = [
            models.Index(fields=["status", "-id"], name="case_status_id"),
            models.Index(fields=["unit", "is_open", "-id"], name="case_unit_open_id"),
            models.Index(fields=["assigned_agent", "is_open", "-id"], name="case_agent_open_id"),
            models.Index(fields=["customer", "-id"], name="case_customer_id"),
            models.Index(fields=["case_type", "-id"], name="case_type_id"),
            models.Index(fields=["is_open", "due_at"], name="case_open_due"),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """The case timeline. Append-only: rows are never updated or deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Tạo yêu cầu")
        STATUS = "status", _("Đổi trạng thái")
        NOTE = "note", _("Ghi chú nội bộ")
        REPLY = "reply", _("Trả lời khách hàng")
        ASSIGNMENT = "assignment", _("Phân công")
        INTERACTION = "interaction", _("Tương tác")
        LINK = "link", _("Liên kết")
        TYPE = "type", _("Đổi loại")
        DISPATCH = "dispatch", _("Điều phối")
        ESCALATION = "escalation", _("Leo thang")
        SLA = "sla", _("SLA")
        NOTIFICATION = "notification", _("Thông báo")
        INCIDENT = "incident", _("Sự cố")

    # caseevent_case_id (case, id) serves look-ups by case
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never filtered on; staff are deactivated, not deleted
    )
    public = models.BooleanField(_("khách hàng thấy"), default=False)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()  # read per case only (timeline), never across cases

    class Meta:
        verbose_name = _("sự kiện yêu cầu")
        verbose_name_plural = _("dòng thời gian")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "id"], name="caseevent_case_id")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("CaseEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("CaseEvent is append-only")


class CaseLink(models.Model):
    class Kind(models.TextChoices):
        RELATED = "related", _("Liên quan")
        DUPLICATE = "duplicate", _("Trùng")

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RELATED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="uniq_case_link")
        ]


class Interaction(models.Model):
    """A call, chat, email or visit. Linked to the cases logged during it."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Gọi vào")
        OUTBOUND = "out", _("Gọi ra")

    class State(models.TextChoices):
        RINGING = "ringing", _("Đang đổ chuông")
        ACTIVE = "active", _("Đang nói chuyện")
        ENDED = "ended", _("Đã kết thúc")
        MISSED = "missed", _("Nhỡ")

    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PHONE)
    direction = models.CharField(max_length=3, choices=Direction.choices, default="in")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RINGING)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        db_index=False,  # inter_customer_time (customer, -started_at) serves it
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    from_address = models.CharField(max_length=100, blank=True, db_index=True)
    to_address = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="interactions")

    class Meta:
        verbose_name = _("tương tác")
        verbose_name_plural = _("tương tác")
        indexes = [models.Index(fields=["customer", "-started_at"], name="inter_customer_time")]
