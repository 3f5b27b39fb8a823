"""Rollup tables (the reports read only these at scale), days to recompute, report
subscriptions and background exports.

Dimension columns are plain integers (0 = none), not foreign keys: a rollup row outlives
nothing and blocks no delete; labels are looked up when a report is shown. Each rollup grain
is unique, so a day is recomputed by deleting and inserting its rows in one transaction."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseDay(models.Model):
    """Cases by the day they were opened × unit × team (the assignee's unit) × channel × type.
    Counts are of that day's cohort as of the last refresh (e.g. `resolved`: resolved so far)."""

    day = models.DateField()
    unit_id = models.IntegerField(default=0)
    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=16)
    case_type_id = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    first_contact = models.IntegerField(default=0)  # resolved on the first contact
    resolved = models.IntegerField(default=0)
    resolve_minutes = models.FloatField(default=0)  # sum over resolved cases
    sla_met = models.IntegerField(default=0)
    sla_breached = models.IntegerField(default=0)  # resolved late, or open past due
    open_now = models.IntegerField(default=0)
    repeat_7d = models.IntegerField(default=0)  # the customer had another case in 7 days

    class Meta:
        verbose_name = _("tổng hợp yêu cầu theo ngày")
        verbose_name_plural = _("tổng hợp yêu cầu theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "unit_id", "team_id", "channel", "case_type_id"],
                name="uniq_rollup_case_day",
            )
        ]


class CaseMonth(models.Model):
    """CaseDay summed by month × unit × channel × type (no team): what a long range reads
    for its whole months (a year is ~12 × a few thousand rows instead of ~1M day rows);
    rewritten from CaseDay whenever a day of the month is recomputed."""

    month = models.DateField()  # the first day of the month
    unit_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=16)
    case_type_id = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    first_contact = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    resolve_minutes = models.FloatField(default=0)
    sla_met = models.IntegerField(default=0)
    sla_breached = models.IntegerField(default=0)
    open_now = models.IntegerField(default=0)
    repeat_7d = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("tổng hợp yêu cầu theo tháng")
        verbose_name_plural = _("tổng hợp yêu cầu theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit_id", "channel", "case_type_id"],
                name="uniq_rollup_case_month",
            )
        ]


class CaseHour(models.Model):
    """Contacts (cases opened) by day × hour × channel: the hour-of-day profile. Kept narrow
    on purpose (192 cells a day at most), so a year of it reads in milliseconds; unit and type
    filters are answered by CaseDay."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=16)
    opened = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("tổng hợp yêu cầu theo giờ")
        verbose_name_plural = _("tổng hợp yêu cầu theo giờ")
        constraints = [
            models.UniqueConstraint(fields=["day", "hour", "channel"], name="uniq_rollup_case_hour")
        ]


class CallInterval(models.Model):
    """Inbound calls by day × hour × unit × team (the answering agent's unit)."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    unit_id = models.IntegerField(default=0)
    team_id = models.IntegerField(default=0)
    offered = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    answered_in_sl = models.IntegerField(default=0)  # within CSKH_REPORTS_SL_SECONDS
    abandoned = models.IntegerField(default=0)
    talk_seconds = models.BigIntegerField(default=0)
    wrap_seconds = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("tổng hợp cuộc gọi theo giờ")
        verbose_name_plural = _("tổng hợp cuộc gọi theo giờ")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "unit_id", "team_id"], name="uniq_rollup_call_hour"
            )
        ]


class DirtyDay(models.Model):
    """A past day whose rollups must be recomputed (marked by hooks, cleared by the job)."""

    class Kind(models.TextChoices):
        CASES = "cases", _("Yêu cầu")
        CALLS = "calls", _("Cuộc gọi")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="uniq_dirty_day")]


class Subscription(models.Model):
    """A manager's standing order: a report by e-mail, XLSX attached."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Hằng ngày")
        WEEKLY = "weekly", _("Hằng tuần (thứ Hai)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    report = models.CharField(_("báo cáo"), max_length=32)
    frequency = models.CharField(_("tần suất"), max_length=8, choices=Frequency.choices)
    email = models.EmailField(_("email nhận"))
    filters = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    last_sent_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đăng ký báo cáo")
        verbose_name_plural = _("đăng ký báo cáo")


class ExportJob(models.Model):
    """A large export run by a Django Task: progress for the page, the file when done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang xuất")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)  # "cases" or a report code
    fmt = models.CharField(max_length=4, default="xlsx")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
