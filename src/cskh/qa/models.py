"""QA tables: scorecards (versioned), reviews of cases with their answers, and the attitude
flags counted against an agent's replies."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scorecard(models.Model):
    """One version of a scorecard. A change publishes a new version; reviews keep theirs."""

    name = models.CharField(_("tên"), max_length=100)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"))

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="qa_scorecard_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Criterion(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("tiêu chí"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("trọng số"), default=1)
    auto_fail = models.BooleanField(_("trượt ngay nếu không đạt"), default=False)

    class Meta:
        ordering = ["scorecard", "position"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")

    def __str__(self) -> str:
        return self.label


class Review(models.Model):
    class Sample(models.TextChoices):
        RANDOM = "random", _("Ngẫu nhiên")
        COMPLAINT = "complaint", _("Khiếu nại")
        LONG = "long", _("Xử lý lâu")
        CALIBRATION = "calibration", _("Hiệu chuẩn")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ chấm")
        SCORED = "scored", _("Đã chấm")
        ACKNOWLEDGED = "acknowledged", _("Tư vấn viên đã xác nhận")
        DISPUTED = "disputed", _("Tư vấn viên khiếu nại")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="qa_reviews_given",
        null=True,
        blank=True,
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="reviews")
    sample = models.CharField(_("mẫu"), max_length=16, choices=Sample.choices)
    week = models.DateField(_("tuần"), help_text=_("Thứ Hai của tuần được lấy mẫu"))
    calibration_key = models.CharField(max_length=40, blank=True, db_index=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    score = models.DecimalField(_("điểm"), max_digits=5, decimal_places=1, null=True)
    auto_failed = models.BooleanField(_("trượt do tiêu chí bắt buộc"), default=False)
    comment = models.TextField(_("nhận xét"), blank=True)
    agent_reply = models.TextField(_("phản hồi của tư vấn viên"), blank=True)
    created_at = models.DateTimeField()
    scored_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đánh giá chất lượng")
        verbose_name_plural = _("đánh giá chất lượng")
        indexes = [
            models.Index(fields=["status", "week"], name="qa_review_queue"),
            models.Index(fields=["agent", "-created_at"], name="qa_review_agent"),
        ]


class Answer(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("đạt"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="qa_answer_once")
        ]


class AttitudeFlag(models.Model):
    """A reply sent to a customer although the attitude check warned about it."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_attitude_flags"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    codes = models.JSONField(default=list)
    score = models.FloatField()
    excerpt = models.CharField(max_length=300)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("cảnh báo thái độ")
        verbose_name_plural = _("cảnh báo thái độ")
        indexes = [models.Index(fields=["agent", "-created_at"], name="qa_flag_agent")]
