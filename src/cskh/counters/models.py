"""Transaction offices (quầy giao dịch): offices, their counters and services, queue tickets
and appointments. Tickets are numbered per office, service and day ("A012")."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_opening() -> time:
    return time(7, 30)


def default_closing() -> time:
    return time(17, 0)


# The defaults are callables, not fixed times: Django's fields.W161 check warns about a fixed
# time default whenever the checks run within seconds of that time of day (UTC), so
# `check --deploy --fail-level WARNING` failed at 07:30:00 and 17:00:00.


class Office(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    ward = models.ForeignKey(
        "geo.Ward",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("phường/xã"),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    opens_at = models.TimeField(_("giờ mở cửa"), default=default_opening)
    closes_at = models.TimeField(_("giờ đóng cửa"), default=default_closing)
    slot_minutes = models.PositiveSmallIntegerField(_("độ dài khung giờ hẹn (phút)"), default=30)
    booking_days = models.PositiveSmallIntegerField(_("nhận đặt lịch trước (ngày)"), default=14)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phòng giao dịch")
        verbose_name_plural = _("phòng giao dịch")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service an office offers; its letter prefixes the ticket numbers (A012)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="services")
    letter = models.CharField(_("chữ cái"), max_length=2)
    name = models.CharField(_("tên"), max_length=200)
    bookable = models.BooleanField(_("nhận đặt lịch hẹn"), default=True)
    slot_capacity = models.PositiveSmallIntegerField(_("số lịch hẹn mỗi khung giờ"), default=2)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("dịch vụ tại quầy")
        verbose_name_plural = _("dịch vụ tại quầy")
        ordering = ["office", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["office", "letter"], name="uniq_counter_service")
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.name}"


class Counter(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("số quầy"))
    name = models.CharField(_("tên"), max_length=100, blank=True)
    services = models.ManyToManyField(
        Service, related_name="counters", verbose_name=_("phục vụ dịch vụ")
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["office", "number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="uniq_office_counter")
        ]

    def __str__(self) -> str:
        return self.name or str(_("Quầy %(n)s") % {"n": self.number})


class NumberSeq(models.Model):
    """The last ticket number given per service and day (a row per day, updated in place)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "day"], name="uniq_counter_numberseq")
        ]


class SlotLoad(models.Model):
    """Appointments booked in one slot of a service: the row a booking increments under the
    condition ``booked < capacity`` (race-safe capacity on every database)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "start"], name="uniq_counter_slotload")
        ]


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Đã đặt")
        CHECKED_IN = "checked_in", _("Đã lấy số")
        CANCELLED = "cancelled", _("Đã huỷ")

    code = models.CharField(_("mã đặt lịch"), max_length=12, unique=True)
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="appointments")
    start = models.DateTimeField(_("bắt đầu"))
    end = models.DateTimeField(_("kết thúc"))
    full_name = models.CharField(_("họ tên"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=20, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("đặt lúc"))

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["start"]
        indexes = [models.Index(fields=["office", "start"], name="counter_appt_office_start")]

    def __str__(self) -> str:
        return self.code


class Ticket(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Đang chờ")
        CALLED = "called", _("Đã gọi")
        SERVING = "serving", _("Đang phục vụ")
        DONE = "done", _("Đã xong")
        NO_SHOW = "no_show", _("Vắng mặt")
        TRANSFERRED = "transferred", _("Đã chuyển")

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="tickets")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("ngày"))
    number = models.CharField(_("số thứ tự"), max_length=8)
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=State.choices, default=State.WAITING
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket"
    )
    # a booked ticket: served first once its slot has begun (denormalised from the appointment
    # so that the call-next query locks one table)
    slot_start = models.DateTimeField(null=True, blank=True)
    target_counter = models.ForeignKey(
        Counter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Chuyển đích danh: chỉ quầy này gọi được."),
    )
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transferred_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("lấy số lúc"))
    queued_at = models.DateTimeField(help_text=_("Thứ tự trong hàng (giữ nguyên khi chuyển)."))
    called_at = models.DateTimeField(null=True, blank=True)
    serving_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(default=0)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    service_seconds = models.PositiveIntegerField(null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "cases.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("phiếu thứ tự")
        verbose_name_plural = _("phiếu thứ tự")
        indexes = [
            models.Index(fields=["office", "day", "state", "queued_at"], name="ticket_queue"),
            models.Index(fields=["office", "issued_at"], name="ticket_office_time"),
            models.Index(fields=["counter", "state"], name="ticket_counter_state"),
        ]

    def __str__(self) -> str:
        return self.number
