"""SLA clocks: one row per case, business-time elapsed with pauses, and escalation state."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlaClock(models.Model):
    """The running clock of a case (owner app `sla`).

    elapsed_minutes counts open business minutes consumed before `running_since`; while running,
    the current elapsed time is elapsed_minutes + business minutes since running_since. While the
    case waits for the customer, running_since is empty (paused). Reassignment never touches it.
    `next_check_at` is the instant of the next escalation threshold (75 %, 100 %, …); the scan
    reads only rows whose next_check_at has passed, through a partial index.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Đang tính")
        PAUSED = "paused", _("Tạm dừng (chờ khách hàng)")
        STOPPED = "stopped", _("Đã dừng")

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="sla_clock"
    )
    calendar = models.ForeignKey(
        "catalog.BusinessCalendar", on_delete=models.PROTECT, related_name="+"
    )
    policy_code = models.CharField(max_length=32, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    first_target_minutes = models.PositiveIntegerField()
    target_minutes = models.PositiveIntegerField()
    elapsed_minutes = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.FloatField(default=0)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True)
    first_response_met = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("đồng hồ SLA")
        verbose_name_plural = _("đồng hồ SLA")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="slaclock_next_check",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["stopped_at"], name="slaclock_stopped"),
        ]

    def __str__(self) -> str:
        return f"SLA {self.case_id}"


class EscalationRule(models.Model):
    """At `percent` of the resolution target, notify a role. Without rows the default ladder
    applies: 75 % → unit lead, 100 % → center shift lead, 150 % → manager."""

    class Target(models.TextChoices):
        UNIT_LEAD = "unit_lead", _("Lãnh đạo đơn vị xử lý")
        SHIFT_LEAD = "shift_lead", _("Trưởng ca trung tâm")
        MANAGER = "manager", _("Quản lý")

    percent = models.PositiveSmallIntegerField(_("ngưỡng (% thời hạn)"))
    target = models.CharField(_("báo cho"), max_length=16, choices=Target.choices)
    case_type = models.ForeignKey(
        "catalog.CaseType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Để trống: áp dụng cho mọi loại yêu cầu."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("quy tắc leo thang")
        verbose_name_plural = _("quy tắc leo thang")
        ordering = ["percent", "id"]

    def __str__(self) -> str:
        return f"{self.percent}% → {self.get_target_display()}"
