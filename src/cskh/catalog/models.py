from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.IntegerChoices):
    URGENT = 1, _("Khẩn cấp")
    HIGH = 2, _("Cao")
    NORMAL = 3, _("Bình thường")
    LOW = 4, _("Thấp")


class Profile(models.Model):
    """Industry profile: electricity or telecom. Exactly one is active in an installation."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    is_active = models.BooleanField(_("đang dùng"), default=False)

    class Meta:
        verbose_name = _("ngành")
        verbose_name_plural = _("ngành")

    def __str__(self) -> str:
        return self.name


class BusinessCalendar(models.Model):
    """24/7, or working hours with Vietnamese public holidays (Tết included) and company days off."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    always_open = models.BooleanField(_("24/7"), default=False)
    # {"0": [["07:30", "17:00"]], ... "5": [["07:30", "17:00"]]}  (0 = Monday)
    hours = models.JSONField(_("giờ làm việc"), default=dict, blank=True)
    use_public_holidays = models.BooleanField(_("nghỉ lễ theo quy định"), default=True)

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")

    def __str__(self) -> str:
        return self.name


class CalendarDayOff(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="days_off"
    )
    date = models.DateField(_("ngày"))
    name = models.CharField(_("lý do"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ của công ty")
        verbose_name_plural = _("ngày nghỉ của công ty")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_day_off")]


class SlaPolicy(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="policies"
    )
    first_response_minutes = models.PositiveIntegerField(_("phản hồi đầu (phút)"))
    resolution_minutes = models.PositiveIntegerField(_("giải quyết (phút)"))
    rural_resolution_minutes = models.PositiveIntegerField(
        _("giải quyết ở nông thôn (phút)"), null=True, blank=True
    )
    # {"1": {"first_response": 15, "resolution": 120}, ...} overrides per priority
    per_priority = models.JSONField(_("theo mức ưu tiên"), default=dict, blank=True)
    description = models.TextField(_("cam kết công bố"), blank=True)

    class Meta:
        verbose_name = _("chính sách SLA")
        verbose_name_plural = _("chính sách SLA")

    def __str__(self) -> str:
        return self.name

    def targets(self, priority: int, *, rural: bool = False) -> tuple[int, int]:
        over = self.per_priority.get(str(priority), {})
        resolution = self.resolution_minutes
        if rural and self.rural_resolution_minutes:
            resolution = self.rural_resolution_minutes
        return (
            int(over.get("first_response", self.first_response_minutes)),
            int(over.get("resolution", resolution)),
        )


class CaseType(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="case_types")
    code = models.CharField(_("mã"), max_length=32)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, default="")
    description = models.TextField(_("mô tả"), blank=True)
    default_priority = models.PositiveSmallIntegerField(
        _("ưu tiên mặc định"), choices=Priority.choices, default=Priority.NORMAL
    )
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="case_types"
    )
    handler_unit_kind = models.CharField(
        _("loại đơn vị xử lý"),
        max_length=16,
        default="field",
        help_text=_("center: giải quyết tại trung tâm; field: chuyển đơn vị hiện trường"),
    )
    groups_incidents = models.BooleanField(
        _("gom sự cố diện rộng"),
        default=False,
        help_text=_("Các yêu cầu loại này được gom theo trạm/tuyến/phường thành sự cố."),
    )
    is_complaint = models.BooleanField(_("là khiếu nại"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("loại yêu cầu")
        verbose_name_plural = _("loại yêu cầu")
        ordering = ["profile", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="uniq_profile_case_type")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fold_name()
        super().save(*args, **kwargs)

    def fold_name(self) -> CaseType:
        """Set the folded name search matches on (save() does; bulk_create() callers must)."""
        from cskh.core.text import fold

        self.name_folded = fold(self.name)
        return self


class RoutingRule(models.Model):
    """case type (optional) + ward (optional) → unit. Most specific rule wins, then lowest order."""

    case_type = models.ForeignKey(
        CaseType, null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules"
    )
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="routing_rules")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("quy tắc điều phối")
        verbose_name_plural = _("quy tắc điều phối")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.case_type or '*'} @ {self.ward or '*'} → {self.unit}"
