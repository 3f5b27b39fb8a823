from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    TARIFF = "tariff", _("Giá điện / cước")
    PROCEDURE = "procedure", _("Thủ tục")
    DOCUMENTS = "documents", _("Hồ sơ cần có")
    TIME_LIMIT = "time_limit", _("Thời hạn")
    SAFETY = "safety", _("An toàn")
    GENERAL = "general", _("Thông tin chung")


class Article(models.Model):
    """A knowledge article; its text lives in versions. Agents only see an approved version
    whose "effective from" date has come."""

    case_type = models.ForeignKey(
        "catalog.CaseType",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("loại yêu cầu"),
    )
    topic = models.CharField(_("chủ đề"), max_length=16, choices=Topic.choices)
    slug = models.SlugField(_("mã"), max_length=80, unique=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    # shown to customers on the portal's help pages (its approved live version only)
    public = models.BooleanField(_("công khai cho khách hàng"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bài viết tri thức")
        verbose_name_plural = _("bài viết tri thức")

    def __str__(self) -> str:
        version = self.versions.order_by("-number").first()
        return version.title if version else self.slug


class ArticleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Bị từ chối")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    title_folded = models.CharField(max_length=200, editable=False, default="")
    body_folded = models.TextField(editable=False, default="")
    effective_from = models.DateField(_("hiệu lực từ"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản bài viết")
        verbose_name_plural = _("phiên bản bài viết")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="uniq_article_version")
        ]
        indexes = [models.Index(fields=["status", "effective_from"], name="kbver_status_eff")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def save(self, *args, **kwargs):
        from cskh.core.text import fold

        self.title_folded = fold(self.title)[:200]
        self.body_folded = fold(self.body)
        super().save(*args, **kwargs)


class ArticleFlag(models.Model):
    """An agent says an article is wrong or out of date."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="flags")
    version = models.ForeignKey(
        ArticleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("lý do"))
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("đã xử lý lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("báo sai bài viết")
        verbose_name_plural = _("báo sai bài viết")


class CannedAnswer(models.Model):
    """A reply template for a case type. Variables: {{ten_khach_hang}}, {{ma_khach_hang}},
    {{so_vu_viec}}, {{han_xu_ly}}, {{ten_tu_van_vien}}."""

    case_type = models.ForeignKey(
        "catalog.CaseType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_answers",
        verbose_name=_("loại yêu cầu"),
    )
    title = models.CharField(_("tiêu đề"), max_length=120)
    body = models.TextField(_("nội dung"))
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("câu trả lời mẫu")
        verbose_name_plural = _("câu trả lời mẫu")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class CannedAnswerVersion(models.Model):
    """A proposed text of a canned answer, approved like an article version: the desk keeps
    offering the last approved text (copied onto the CannedAnswer) until a new one is
    approved by a shift lead other than its author."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Bị từ chối")

    answer = models.ForeignKey(CannedAnswer, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(_("tiêu đề"), max_length=120)
    body = models.TextField(_("nội dung"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản câu trả lời mẫu")
        verbose_name_plural = _("phiên bản câu trả lời mẫu")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "number"], name="uniq_canned_version")
        ]
