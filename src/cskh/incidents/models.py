"""Area-wide incidents (unplanned outages, network failures) and planned outages.

The scope of an incident is stored as rows (IncidentScope) so that "is this service point inside
a live incident?" and "which customers are affected?" are indexed queries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Feeder(models.Model):
    """A medium-voltage line (electricity) or an OLT / area node (telecom)."""

    code = models.CharField(_("mã tuyến dây"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200, blank=True)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("tuyến dây / OLT")
        verbose_name_plural = _("tuyến dây / OLT")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class Transformer(models.Model):
    """A distribution transformer station (electricity) or a splitter (telecom)."""

    code = models.CharField(_("mã trạm"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200, blank=True)
    feeder_code = models.CharField(_("tuyến dây"), max_length=32, blank=True, db_index=True)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("trạm biến áp / splitter")
        verbose_name_plural = _("trạm biến áp / splitter")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class Level(models.TextChoices):
    TRANSFORMER = "transformer", _("Trạm biến áp")
    FEEDER = "feeder", _("Tuyến dây")
    WARD = "ward", _("Phường/xã")
    SERVICE_POINT = "service_point", _("Điểm dịch vụ")


class IncidentRule(models.Model):
    """Grouping thresholds: `min_cases` reports on one `level` within `window_minutes`.

    For the feeder level, `min_children` suspected transformers of one feeder also escalate.
    When no active rule exists for a level, settings.CSKH_INCIDENT_RULES (or built-in defaults)
    apply.
    """

    level = models.CharField(_("cấp gom"), max_length=16, choices=Level.choices, unique=True)
    min_cases = models.PositiveIntegerField(_("số yêu cầu tối thiểu"), default=3)
    window_minutes = models.PositiveIntegerField(_("cửa sổ thời gian (phút)"), default=15)
    min_children = models.PositiveIntegerField(
        _("số trạm nghi sự cố để nâng cấp"),
        default=2,
        help_text=_("Chỉ dùng cho cấp tuyến dây."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("ngưỡng gom sự cố")
        verbose_name_plural = _("ngưỡng gom sự cố")

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.min_cases}/{self.window_minutes}′"


class Incident(models.Model):
    class Kind(models.TextChoices):
        UNPLANNED = "unplanned_outage", _("Mất điện ngoài kế hoạch")
        PLANNED = "planned_outage", _("Ngừng cung cấp điện theo kế hoạch")
        NETWORK = "network_failure", _("Sự cố mạng")

    class Status(models.TextChoices):
        SUSPECTED = "suspected", _("Nghi ngờ")
        CONFIRMED = "confirmed", _("Đã xác nhận")
        RESTORING = "restoring", _("Đang khắc phục")
        RESOLVED = "resolved", _("Đã khắc phục")
        DISMISSED = "dismissed", _("Bỏ qua")
        MERGED = "merged", _("Đã gộp")
        CANCELLED = "cancelled", _("Đã hủy")

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.SUSPECTED
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    public_message = models.TextField(_("thông báo cho khách hàng"), blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    level = models.CharField(_("cấp phạm vi"), max_length=16, choices=Level.choices)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("đơn vị phụ trách"),
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc dự kiến (kế hoạch)"), null=True, blank=True)
    eta = models.DateTimeField(_("dự kiến có điện lại"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    # Auto-detected incidents: "transformer:T123" etc. At most one live incident per key.
    detect_key = models.CharField(max_length=64, blank=True, default="")
    feeder_code = models.CharField(_("tuyến dây"), max_length=32, blank=True, db_index=True)
    first_case_at = models.DateTimeField(null=True, blank=True)
    threshold_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Planned outages
    schedule_code = models.CharField(_("mã lịch"), max_length=64, blank=True, db_index=True)
    short_notice = models.BooleanField(_("báo trước dưới 5 ngày"), default=False)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    notified_version = models.PositiveIntegerField(default=0)
    # Notifications (resolution / planned notices): customers handed to the outbox.
    notify_total = models.PositiveIntegerField(default=0)
    notify_enqueued = models.PositiveIntegerField(default=0)
    cases_resolved = models.PositiveIntegerField(default=0)
    # Work after resolution/cancellation (resolve cases, notify) still to do: picked up by the
    # task, or by `cskh incidents_tick` when no worker runs.
    cascade_pending = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    LIVE = ("suspected", "confirmed", "restoring")
    ACTIVE = ("confirmed", "restoring")

    class Meta:
        verbose_name = _("sự cố")
        verbose_name_plural = _("sự cố")
        indexes = [
            models.Index(fields=["status", "-id"], name="incident_status_id"),
            models.Index(fields=["kind", "status", "started_at"], name="incident_kind_status"),
            models.Index(fields=["unit", "status"], name="incident_unit_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["detect_key"],
                condition=Q(status__in=["suspected", "confirmed", "restoring"]) & ~Q(detect_key=""),
                name="uniq_live_detect_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        prefix = "LN" if self.kind == self.Kind.PLANNED else "SC"
        return f"{prefix}-{self.pk or 0:06d}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class IncidentScope(models.Model):
    """One scope element. `live` mirrors the incident status (suspected/confirmed/restoring)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="scopes")
    level = models.CharField(max_length=16, choices=Level.choices)
    code = models.CharField(max_length=40)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("phạm vi sự cố")
        verbose_name_plural = _("phạm vi sự cố")
        indexes = [
            models.Index(fields=["level", "code", "live"], name="incscope_level_code"),
            models.Index(fields=["ward", "live"], name="incscope_ward_live"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["incident", "level", "code"], name="uniq_inc_scope")
        ]

    def __str__(self) -> str:
        return f"{self.level}:{self.code}"


class IncidentCase(models.Model):
    class How(models.TextChoices):
        AT_CREATION = "at_creation", _("Gắn khi tạo yêu cầu")
        CLUSTER = "cluster", _("Gom tự động")
        CONFIRM = "confirm", _("Gắn khi xác nhận")
        MERGE = "merge", _("Gộp sự cố")
        MANUAL = "manual", _("Gắn thủ công")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    customer_id = models.BigIntegerField(db_index=True)
    how = models.CharField(max_length=12, choices=How.choices)
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("yêu cầu thuộc sự cố")
        verbose_name_plural = _("yêu cầu thuộc sự cố")
        indexes = [models.Index(fields=["incident", "id"], name="inccase_incident_id")]
        constraints = [
            models.UniqueConstraint(fields=["incident", "case"], name="uniq_incident_case")
        ]


class IncidentSignal(models.Model):
    """One grouping-type case with its network position: the input of clustering."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    customer_id = models.BigIntegerField()
    transformer_code = models.CharField(max_length=32, blank=True)
    feeder_code = models.CharField(max_length=32, blank=True)
    ward_id = models.PositiveIntegerField(null=True)
    unit_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["transformer_code", "created_at"], name="incsig_tr_time"),
            models.Index(fields=["feeder_code", "created_at"], name="incsig_fd_time"),
            models.Index(fields=["ward_id", "created_at"], name="incsig_ward_time"),
        ]


class IncidentEvent(models.Model):
    """Incident timeline. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Tạo sự cố")
        STATUS = "status", _("Đổi trạng thái")
        ETA = "eta", _("Đổi thời gian dự kiến")
        SCOPE = "scope", _("Đổi phạm vi")
        MERGE = "merge", _("Gộp")
        NOTIFY = "notify", _("Thông báo khách hàng")
        CASES = "cases", _("Yêu cầu")
        NOTE = "note", _("Ghi chú")
        CHANGE = "change", _("Thay đổi lịch")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
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
        indexes = [models.Index(fields=["incident", "id"], name="incevent_incident_id")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("IncidentEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("IncidentEvent is append-only")


class ScheduleImport(models.Model):
    """One imported planned-outage file (kept for audit)."""

    filename = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp lịch ngừng cấp điện")
        verbose_name_plural = _("tệp lịch ngừng cấp điện")


class IncidentSubscription(models.Model):
    """A customer who asked to be informed about an incident (ETA changes, restoration).

    Callers whose case is linked are subscribed automatically; others subscribe through the API
    (IVR / Zalo / agent on request).
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="subscriptions")
    customer_id = models.BigIntegerField()
    source = models.CharField(max_length=16, default="case")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đăng ký nhận tin sự cố")
        verbose_name_plural = _("đăng ký nhận tin sự cố")
        constraints = [
            models.UniqueConstraint(fields=["incident", "customer_id"], name="uniq_inc_subscriber")
        ]


class NotifyBatch(models.Model):
    """One slice of a bulk notification, due at `due_at`: slices are paced per channel so a
    50,000-customer message does not exceed what each gateway accepts (throttling)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notify_batches")
    template = models.CharField(max_length=48)
    dedupe_prefix = models.CharField(max_length=120)
    channel = models.CharField(max_length=8)
    customer_ids = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    context = models.JSONField(default=dict)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    queued = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], name="incbatch_due", condition=Q(sent_at__isnull=True)),
            models.Index(fields=["incident", "template"], name="incbatch_incident"),
        ]
