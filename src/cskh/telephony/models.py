from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CallEvent(models.Model):
    """Every accepted event from the PBX, once: (call_id, event) is unique (idempotency)."""

    class Kind(models.TextChoices):
        RINGING = "ringing", _("Đổ chuông")
        ANSWERED = "answered", _("Trả lời")
        ENDED = "ended", _("Kết thúc")
        MISSED = "missed", _("Gọi nhỡ")

    call_id = models.CharField(max_length=100)
    event = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    from_e164 = models.CharField(max_length=20, blank=True)
    to_number = models.CharField(max_length=40, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "cases.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sự kiện cuộc gọi")
        verbose_name_plural = _("sự kiện cuộc gọi")
        constraints = [models.UniqueConstraint(fields=["call_id", "event"], name="uniq_call_event")]


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Sẵn sàng")
    ON_CALL = "on_call", _("Đang gọi")
    AFTER_CALL_WORK = "after_call_work", _("Xử lý sau cuộc gọi")
    BREAK = "break", _("Tạm nghỉ")
    OFFLINE = "offline", _("Ngoại tuyến")


class BreakReason(models.TextChoices):
    """Why an agent is on break (the shift lead's board and reports read it)."""

    REST = "rest", _("Giải lao")
    MEAL = "meal", _("Ăn ca")
    TRAINING = "training", _("Đào tạo")
    MEETING = "meeting", _("Họp")
    COACHING = "coaching", _("Kèm cặp")
    OTHER = "other", _("Khác")


class CallOutcome(models.TextChoices):
    """What a call came to, chosen by the agent at wrap-up."""

    RESOLVED = "resolved", _("Giải quyết ngay")
    CASE_LOGGED = "case_logged", _("Đã ghi yêu cầu")
    INFO = "info", _("Chỉ hỏi thông tin")
    CALLBACK = "callback", _("Hẹn gọi lại")
    TRANSFERRED = "transferred", _("Chuyển máy")
    DROPPED = "dropped", _("Rớt cuộc gọi")
    WRONG_NUMBER = "wrong_number", _("Nhầm số")
    ABUSIVE = "abusive", _("Quấy rối")


class AgentPresence(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="presence",
    )
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=Presence.choices, default=Presence.OFFLINE
    )
    since = models.DateTimeField(_("từ lúc"))
    interaction = models.ForeignKey(
        "cases.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(
        _("lý do tạm nghỉ"), max_length=16, choices=BreakReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("trạng thái tư vấn viên")
        verbose_name_plural = _("trạng thái tư vấn viên")


class CallbackTask(models.Model):
    """A missed call to return. Repeated misses from one number on one day merge into one."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ gọi lại")
        DONE = "done", _("Đã gọi lại")

    from_e164 = models.CharField(_("số gọi đến"), max_length=20)
    day = models.DateField(_("ngày"))
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    count = models.PositiveIntegerField(_("số cuộc nhỡ"), default=1)
    first_missed_at = models.DateTimeField(_("nhỡ lần đầu"))
    last_missed_at = models.DateTimeField(_("nhỡ lần cuối"))
    last_interaction = models.ForeignKey(
        "cases.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("yêu cầu gọi lại")
        verbose_name_plural = _("yêu cầu gọi lại")
        constraints = [
            models.UniqueConstraint(fields=["from_e164", "day"], name="uniq_callback_number_day")
        ]
        indexes = [models.Index(fields=["status", "-id"], name="callback_status_id")]


class CallWrapUp(models.Model):
    """The agent's wrap-up of one call: its outcome code and a short note. Once per call."""

    interaction = models.OneToOneField(
        "cases.Interaction", on_delete=models.CASCADE, related_name="wrap_up"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("kết quả cuộc gọi"), max_length=16, choices=CallOutcome.choices)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    wrap_seconds = models.PositiveIntegerField(_("thời gian xử lý sau cuộc gọi (giây)"), null=True)
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("kết quả cuộc gọi")
        verbose_name_plural = _("kết quả cuộc gọi")


class ScheduledCallback(models.Model):
    """A call back at the time the customer chose; its agent is reminded on the desk."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Đã hẹn")
        DONE = "done", _("Đã gọi lại")
        CANCELLED = "cancelled", _("Đã hủy")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("số gọi lại"), max_length=20)
    due_at = models.DateTimeField(_("gọi lại lúc"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    reminded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hẹn gọi lại")
        verbose_name_plural = _("hẹn gọi lại")
        indexes = [models.Index(fields=["status", "due_at"], name="schedcb_status_due")]
