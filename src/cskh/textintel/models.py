"""Text-intelligence tables: versioned case-type models and per-message analyses."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    """A trained case-type classifier for one profile. At most one active per profile.

    ``model`` holds the pickled ``cskh.textintel.classifier.TrainedModel`` produced by cskh's own
    training (seed corpus + operator-confirmed cases); nothing else is ever unpickled."""

    profile = models.CharField(_("ngành"), max_length=32, db_index=True)
    version = models.CharField(_("phiên bản"), max_length=64, unique=True)
    metrics = models.JSONField(_("chỉ số đánh giá"), default=dict, blank=True)
    trained_at = models.DateTimeField(_("thời điểm huấn luyện"), default=timezone.now)
    corpus_digest = models.CharField(_("dấu vết dữ liệu"), max_length=64)
    n_examples = models.PositiveIntegerField(_("số mẫu"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=False)
    model = models.BinaryField(_("mô hình"))
    size_bytes = models.PositiveIntegerField(default=0)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("phiên bản mô hình")
        verbose_name_plural = _("phiên bản mô hình")
        ordering = ["profile", "-trained_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile"], condition=Q(is_active=True), name="textintel_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return self.version


class InboundAnalysis(models.Model):
    """Sentiment / complaint / urgency of one inbound customer message (a case description,
    a chat or e-mail message). Written by textintel only (services.record_analysis)."""

    class Sentiment(models.TextChoices):
        NEGATIVE = "negative", _("Tiêu cực")
        NEUTRAL = "neutral", _("Trung tính")
        POSITIVE = "positive", _("Tích cực")

    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="text_analyses",
    )
    source = models.CharField(_("nguồn"), max_length=32, default="case")
    source_id = models.CharField(max_length=64, blank=True)
    profile = models.CharField(max_length=32, blank=True)
    sentiment = models.CharField(_("cảm xúc"), max_length=8, choices=Sentiment.choices)
    sentiment_score = models.FloatField(_("điểm cảm xúc"), default=0.0)
    complaint = models.BooleanField(_("phàn nàn"), default=False)
    urgent = models.BooleanField(_("khẩn cấp"), default=False)
    urgency_reasons = models.JSONField(_("lý do khẩn cấp"), default=list, blank=True)
    case_types = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("phân tích tin nhắn")
        verbose_name_plural = _("phân tích tin nhắn")
        indexes = [models.Index(fields=["case", "-created_at"], name="textintel_case_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id or self.case_id} {self.sentiment}"
