"""Training tables: knowledge changes agents must read and confirm, learning paths with
quizzes and certificates, coaching sessions linked to QA reviews."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadRequirement(models.Model):
    """An approved article version that the people of ``unit`` (and the units below it; every
    agent when empty) must read and confirm. A newer requirement on the same article
    supersedes this one."""

    article = models.ForeignKey("knowledge.Article", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "knowledge.ArticleVersion", on_delete=models.CASCADE, related_name="+"
    )
    summary = models.CharField(_("thay đổi chính"), max_length=500)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("áp dụng cho đơn vị"),
    )
    due_on = models.DateField(_("hạn xác nhận"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    superseded = models.BooleanField(default=False)
    reminders = models.PositiveSmallIntegerField(_("số lần nhắc"), default=0)
    reminded_at = models.DateTimeField(_("nhắc lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("thay đổi bắt buộc đọc")
        verbose_name_plural = _("thay đổi bắt buộc đọc")
        constraints = [
            models.UniqueConstraint(fields=["version"], name="training_req_one_per_version")
        ]


class ReadConfirmation(models.Model):
    requirement = models.ForeignKey(
        ReadRequirement, on_delete=models.CASCADE, related_name="confirmations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_confirmations"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requirement", "user"], name="training_confirm_once")
        ]


class LearningPath(models.Model):
    title = models.CharField(_("tên lộ trình"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("điểm đạt (%)"), default=80)
    max_attempts = models.PositiveSmallIntegerField(
        _("số lần làm tối đa mỗi bài"), default=3, help_text=_("0: không giới hạn")
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lộ trình học")
        verbose_name_plural = _("lộ trình học")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PathStep(models.Model):
    """One article of a path and its short quiz."""

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("tên bài"), max_length=200)
    article = models.ForeignKey(
        "knowledge.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["path", "position", "id"]


class Question(models.Model):
    step = models.ForeignKey(PathStep, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("câu hỏi"), max_length=500)

    class Meta:
        ordering = ["step", "position", "id"]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("phương án"), max_length=300)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position", "id"]


class Enrollment(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.PROTECT, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    certificate_no = models.CharField(_("số chứng nhận"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("học viên của lộ trình")
        verbose_name_plural = _("học viên của lộ trình")
        constraints = [models.UniqueConstraint(fields=["path", "user"], name="training_enrol_once")]


class QuizAttempt(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    step = models.ForeignKey(PathStep, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(_("điểm (%)"))
    passed = models.BooleanField()
    answers = models.JSONField(default=dict)  # question id -> chosen choice id
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["enrollment", "step", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "step", "number"], name="training_attempt_number"
            )
        ]


class CoachingSession(models.Model):
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_received"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_given"
    )
    held_on = models.DateField(_("ngày kèm cặp"))
    topic = models.CharField(_("chủ đề"), max_length=200)
    notes = models.TextField(_("nội dung trao đổi"), blank=True)
    actions = models.TextField(_("hành động đã thống nhất"))
    follow_up_on = models.DateField(_("ngày theo dõi lại"))
    reviews = models.ManyToManyField("qa.Review", blank=True, related_name="+")
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(_("tư vấn viên xác nhận lúc"), null=True, blank=True)
    agent_note = models.TextField(_("ý kiến của tư vấn viên"), blank=True)
    followed_up_at = models.DateTimeField(_("đã theo dõi lại lúc"), null=True, blank=True)
    follow_up_note = models.TextField(_("kết quả theo dõi"), blank=True)

    class Meta:
        verbose_name = _("buổi kèm cặp")
        verbose_name_plural = _("buổi kèm cặp")
        indexes = [
            models.Index(fields=["agent", "-held_on"], name="training_coach_agent"),
            models.Index(fields=["follow_up_on"], name="training_coach_due"),
        ]

    def action_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.actions.splitlines() if line.strip(" -•\t")]
