"""Social listening: mentions and their duplicate clusters (MinHash bands), public replies,
polled feeds, crisis alerts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    FACEBOOK_PAGE_POST = "facebook_page_post", _("Bài đăng trên trang Facebook")
    FACEBOOK_COMMENT = "facebook_comment", _("Bình luận Facebook")
    FACEBOOK_GROUP = "facebook_group", _("Nhóm Facebook")
    FORUM = "forum", _("Diễn đàn")
    NEWS = "news", _("Báo điện tử")
    REVIEW = "review", _("Đánh giá")
    TIKTOK_COMMENT = "tiktok_comment", _("Bình luận TikTok")
    OTHER = "other", _("Khác")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Tiêu cực")
    NEUTRAL = "neutral", _("Trung tính")
    POSITIVE = "positive", _("Tích cực")


class Mention(models.Model):
    """A public post or comment that names the company. Unique on (source, external_id), so a
    re-delivered webhook or a re-imported export is stored once."""

    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        ASSIGNED = "assigned", _("Đã phân công")
        ANSWERED = "answered", _("Đã trả lời")
        CLOSED = "closed", _("Đã đóng")

    source = models.CharField(_("nguồn"), max_length=24, choices=Source.choices)
    external_id = models.CharField(_("mã trên nguồn"), max_length=200)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    author = models.CharField(_("tác giả"), max_length=200, blank=True)
    author_id = models.CharField(_("mã tác giả"), max_length=100, blank=True)
    parent_external_id = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("nội dung"))
    posted_at = models.DateTimeField(_("thời điểm đăng"))
    received_at = models.DateTimeField(_("thời điểm nhận"))
    profile = models.CharField(max_length=16, blank=True)
    followers = models.PositiveIntegerField(default=0)
    reactions = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    # followers + reactions + 5 × shares: what the queue and the dashboard sort by
    reach = models.PositiveIntegerField(_("độ lan tỏa"), default=0)
    sentiment = models.CharField(_("cảm xúc"), max_length=8, choices=Sentiment.choices)
    sentiment_score = models.FloatField(default=0)
    actionable = models.BooleanField(_("cần xử lý"), default=False)
    actionable_score = models.FloatField(default=0)
    urgent = models.BooleanField(_("khẩn"), default=False)
    case_types = models.JSONField(default=list, blank=True)  # [{"code", "score"}...]
    topic = models.CharField(_("chủ đề"), max_length=48, blank=True)  # best case type code
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    duplicate_count = models.PositiveIntegerField(_("số bản trùng"), default=0)
    # hex of uint32 × NUM_PERM (dedupe.to_hex), "" for a post too short to compare
    minhash = models.CharField(max_length=2 * 4 * 64, blank=True, default="")
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("khách hàng"),
    )
    proposed_customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposal_reason = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    first_response_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đề cập trên mạng xã hội")
        verbose_name_plural = _("đề cập trên mạng xã hội")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="social_mention_uniq")
        ]
        indexes = [
            models.Index(fields=["posted_at"], name="social_mention_posted"),
            models.Index(
                fields=["status", "actionable", "urgent", "reach"], name="social_mention_queue"
            ),
            models.Index(
                fields=["sentiment", "actionable", "posted_at"], name="social_mention_crisis"
            ),
            models.Index(fields=["author_id"], name="social_mention_author"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class MentionBand(models.Model):
    """One LSH band of a cluster head's MinHash signature (datasketch): a new mention that shares
    a band with a head is a candidate duplicate, confirmed by the estimated Jaccard similarity."""

    band = models.BigIntegerField()
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    posted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["band", "posted_at"], name="social_band_idx")]


class KnownAuthor(models.Model):
    """A social account an agent confirmed as a customer: their next mentions link at once."""

    author_id = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField()


class Reply(models.Model):
    """A public reply drafted on a mention, optionally approved by a shift lead, published
    through the page API adapter (``cskh.social.pageapi``) by a task after commit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        PENDING_APPROVAL = "pending", _("Chờ duyệt")
        QUEUED = "queued", _("Đang đăng")
        PUBLISHED = "published", _("Đã đăng")
        FAILED = "failed", _("Lỗi")

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("nội dung"))
    private = models.BooleanField(_("chuyển sang tin nhắn riêng"), default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    personal_data = models.JSONField(default=list, blank=True)  # ["phone", "address", ...]
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("trả lời công khai")
        verbose_name_plural = _("trả lời công khai")


class Feed(models.Model):
    """An RSS/Atom feed of a forum or news site, polled with a conditional GET."""

    name = models.CharField(_("tên"), max_length=200)
    url = models.CharField(_("địa chỉ"), max_length=500, unique=True)
    source = models.CharField(max_length=24, choices=Source.choices, default=Source.NEWS)
    enabled = models.BooleanField(default=True)
    interval_seconds = models.PositiveIntegerField(default=600)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("nguồn RSS/Atom")
        verbose_name_plural = _("nguồn RSS/Atom")

    def __str__(self) -> str:
        return self.name


class CrisisAlert(models.Model):
    """Negative actionable mentions of one source/topic above the baseline in the window."""

    created_at = models.DateTimeField()
    source = models.CharField(max_length=24)
    topic = models.CharField(max_length=48, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    count = models.PositiveIntegerField()
    baseline = models.FloatField()
    clusters = models.JSONField(default=list)  # [{"id", "text", "count"}]
    words = models.JSONField(default=list)  # [[word, n]...]
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cảnh báo khủng hoảng")
        verbose_name_plural = _("cảnh báo khủng hoảng")
        indexes = [models.Index(fields=["source", "topic", "created_at"], name="social_alert_idx")]
