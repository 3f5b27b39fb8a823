"""Workforce management: staffing queues, forecasts, shift patterns, schedules, requests and the
presence log adherence is measured against. The wfm app is the only owner of these tables."""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_opening() -> time:
    return time(7, 0)


def default_closing() -> time:
    return time(21, 0)


# Callables, not fixed times: Django's fields.W161 check warns about a fixed time default
# whenever the checks run within seconds of that time of day (UTC).


class StaffingQueue(models.Model):
    """A queue staffed on its own: one contact channel with its service targets."""

    class Model(models.TextChoices):
        ERLANG_C = "c", _("Erlang C")
        ERLANG_A = "a", _("Erlang A")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    channel = models.CharField(_("kênh"), max_length=16)
    model = models.CharField(_("mô hình"), max_length=1, choices=Model.choices, default="a")
    aht_seconds = models.PositiveIntegerField(_("thời gian xử lý TB (giây)"), default=300)
    target_seconds = models.PositiveIntegerField(_("trả lời trong (giây)"), default=20)
    service_level = models.FloatField(_("mức phục vụ mục tiêu"), default=0.8)
    max_occupancy = models.FloatField(_("tỷ lệ lấp đầy tối đa"), default=0.85)
    shrinkage = models.FloatField(_("tỷ lệ hao hụt"), default=0.3)
    patience_seconds = models.PositiveIntegerField(_("độ kiên nhẫn TB (giây)"), default=180)
    opens = models.TimeField(_("mở cửa"), default=default_opening)
    closes = models.TimeField(_("đóng cửa"), default=default_closing)

    class Meta:
        verbose_name = _("hàng đợi nhân lực")
        verbose_name_plural = _("hàng đợi nhân lực")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ForecastRun(models.Model):
    """One forecast of one queue: the method the backtest chose and its scores."""

    queue = models.ForeignKey(StaffingQueue, on_delete=models.CASCADE, related_name="runs")
    created_at = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    method = models.CharField(max_length=32)
    wape = models.FloatField(null=True)
    wape_seasonal_naive = models.FloatField(null=True)
    reason = models.CharField(max_length=200, blank=True)  # "nightly", "intraday", …

    class Meta:
        verbose_name = _("lần dự báo")
        verbose_name_plural = _("lần dự báo")
        indexes = [models.Index(fields=["queue", "-created_at"], name="wfm_run_queue_time")]


class IntervalForecast(models.Model):
    """Contacts expected in one 30-minute interval (and the seasonal-naive baseline)."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()
    calls = models.FloatField()
    naive = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "start"], name="wfm_uniq_run_interval")
        ]


class ShiftPattern(models.Model):
    """A shift that may be worked: start, paid length, break and lunch inside it."""

    code = models.CharField(_("mã"), max_length=16, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    start = models.TimeField(_("bắt đầu"))
    minutes = models.PositiveIntegerField(_("độ dài (phút)"))
    lunch_after_minutes = models.PositiveIntegerField(
        _("nghỉ trưa sau (phút)"), null=True, blank=True
    )
    lunch_minutes = models.PositiveIntegerField(_("nghỉ trưa (phút)"), default=0)
    is_night = models.BooleanField(_("ca đêm"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("mẫu ca")
        verbose_name_plural = _("mẫu ca")
        ordering = ["start", "code"]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """What the scheduler needs to know about an agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    queues = models.ManyToManyField(StaffingQueue, blank=True, verbose_name=_("kỹ năng"))
    max_hours_week = models.PositiveIntegerField(_("giờ tối đa / tuần"), default=48)
    night_ok = models.BooleanField(_("làm ca đêm"), default=True)
    is_active = models.BooleanField(_("đang làm"), default=True)

    class Meta:
        verbose_name = _("hồ sơ lịch làm việc")
        verbose_name_plural = _("hồ sơ lịch làm việc")


class Schedule(models.Model):
    """A roster for a period: draft until a manager publishes it to the agents."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đã công bố")

    first_day = models.DateField(_("từ ngày"))
    last_day = models.DateField(_("đến ngày"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")
        indexes = [models.Index(fields=["status", "-first_day"], name="wfm_schedule_status")]


class Shift(models.Model):
    """One agent working one shift on one day of a schedule."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    pattern = models.ForeignKey(ShiftPattern, on_delete=models.PROTECT, related_name="+")
    # the skill (queue) the agent serves on this shift; null: pooled, every queue
    queue = models.ForeignKey(
        StaffingQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "user", "day"], name="wfm_uniq_shift_day")
        ]
        indexes = [models.Index(fields=["user", "starts_at"], name="wfm_shift_user_time")]


class Request(models.Model):
    """Leave or a shift swap asked by an agent, decided by a shift lead or manager."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Nghỉ phép")
        SWAP = "swap", _("Đổi ca")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Từ chối")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField()
    last_day = models.DateField()
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    swap_with = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu nghỉ / đổi ca")
        verbose_name_plural = _("yêu cầu nghỉ / đổi ca")
        indexes = [models.Index(fields=["status", "-id"], name="wfm_request_status")]


class PresenceLog(models.Model):
    """Every presence change of an agent (from telephony's `presence_changed` hook)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="wfm_presence_user_at")]
