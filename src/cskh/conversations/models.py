"""Written conversations on every door (Zalo OA, Facebook, e-mail, web chat).

The app owns the conversation, its messages and attachments, the link between a channel's
external id and a customer, identity proposals awaiting an agent, and the raw webhook intake
records (stored before processing so a provider retry or a crash loses nothing).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ZALO = "zalo", _("Zalo OA")
    FACEBOOK = "facebook", _("Facebook")
    EMAIL = "email", _("Email")
    WEBCHAT = "webchat", _("Chat trên web")


# the cases app's channel for a case opened from a conversation of this channel
CASE_CHANNEL = {
    Channel.ZALO: "zalo",
    Channel.FACEBOOK: "social",
    Channel.EMAIL: "email",
    Channel.WEBCHAT: "chat",
}


class ChannelIdentity(models.Model):
    """Who writes on a channel (a Zalo user id, a Facebook PSID, an address, a chat visitor),
    and the customer they were linked to."""

    class LinkedBy(models.TextChoices):
        NONE = "", _("Chưa liên kết")
        PHONE = "phone", _("Số điện thoại trong tin nhắn")
        EMAIL = "email", _("Địa chỉ email")
        PROVIDER = "provider", _("Thông tin khách gửi qua kênh")
        AGENT = "agent", _("Tư vấn viên xác nhận")

    channel = models.CharField(_("kênh"), max_length=16, choices=Channel.choices)
    external_id = models.CharField(_("mã trên kênh"), max_length=200)
    display_name = models.CharField(_("tên hiển thị"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channel_identities",
        verbose_name=_("khách hàng"),
    )
    linked_by = models.CharField(max_length=10, choices=LinkedBy.choices, blank=True)
    followed = models.BooleanField(_("đang quan tâm OA"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("danh tính trên kênh")
        verbose_name_plural = _("danh tính trên kênh")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="uniq_identity")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.display_name or self.external_id}"


class IdentityProposal(models.Model):
    """ "This sender may be customer X": never applied without an agent's confirmation."""

    class State(models.TextChoices):
        OPEN = "open", _("Chờ xác nhận")
        ACCEPTED = "accepted", _("Đã xác nhận")
        REJECTED = "rejected", _("Đã từ chối")

    identity = models.ForeignKey(
        ChannelIdentity, on_delete=models.CASCADE, related_name="proposals"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=ChannelIdentity.LinkedBy.choices)
    evidence = models.CharField(max_length=254, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["identity", "customer"], name="uniq_identity_proposal")
        ]


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Đang mở")
        PENDING = "pending", _("Chờ khách hàng")
        CLOSED = "closed", _("Đã đóng")

    class Waiting(models.TextChoices):
        US = "us", _("Chờ chúng ta")
        CUSTOMER = "customer", _("Chờ khách hàng")

    channel = models.CharField(_("kênh"), max_length=16, choices=Channel.choices)
    identity = models.ForeignKey(
        ChannelIdentity, on_delete=models.PROTECT, related_name="conversations"
    )
    # Zalo/Messenger: the user id (one open conversation per user); e-mail: the first
    # Message-ID of the thread; Facebook comments: "comment:<post id>:<user>"; web chat: visitor
    external_thread_id = models.CharField(max_length=255)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        db_index=False,  # conv_customer_id serves it
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    waiting_on = models.CharField(max_length=10, choices=Waiting.choices, default=Waiting.US)
    subject = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        db_index=False,  # conv_assignee serves it
    )
    team = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # text understanding of the first inbound message(s)
    suggested_type = models.CharField(max_length=32, blank=True)
    suggested_confidence = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    complaint = models.BooleanField(default=False)
    urgent = models.BooleanField(default=False)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField()
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hội thoại")
        verbose_name_plural = _("hội thoại")
        # the inbox reads live (not closed) conversations, latest first: partial indexes hold
        # only those (a few % of the table); the API list pages all of them by id
        indexes = [
            models.Index(
                fields=["-last_message_at", "-id"],
                name="conv_live_last",
                condition=~models.Q(status="closed"),
            ),
            models.Index(
                fields=["channel", "-last_message_at", "-id"],
                name="conv_live_channel",
                condition=~models.Q(status="closed"),
            ),
            models.Index(
                fields=["assignee", "-last_message_at", "-id"],
                name="conv_live_assignee",
                condition=~models.Q(status="closed"),
            ),
            models.Index(fields=["customer", "-id"], name="conv_customer_id"),
            models.Index(fields=["channel", "status", "-id"], name="conv_channel_status_id"),
            models.Index(fields=["status", "-id"], name="conv_status_id"),
            models.Index(
                fields=["next_response_due_at"],
                name="conv_due",
                condition=models.Q(status="open", waiting_on="us"),
            ),
        ]
        constraints = [
            # one live conversation per thread; a closed one is followed by a new one
            models.UniqueConstraint(
                fields=["channel", "external_thread_id"],
                condition=~models.Q(status="closed"),
                name="uniq_live_thread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Khách gửi")
        OUT = "out", _("Trả lời")
        NOTE = "note", _("Ghi chú nội bộ")

    class Kind(models.TextChoices):
        TEXT = "text", _("Văn bản")
        IMAGE = "image", _("Hình ảnh")
        FILE = "file", _("Tệp")
        LOCATION = "location", _("Vị trí")
        STICKER = "sticker", _("Nhãn dán")
        EVENT = "event", _("Sự kiện")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        QUEUED = "queued", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi thất bại")
        NOTE = "note", _("Nội bộ")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    direction = models.CharField(max_length=4, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(blank=True)
    # the provider's id: inbound idempotency key (providers retry) and, for e-mail, Message-ID
    provider_message_id = models.CharField(max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notification = models.ForeignKey(
        "notify.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    public = models.BooleanField(default=False)  # Facebook: answered under the post
    data = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")
        indexes = [models.Index(fields=["conversation", "-id"], name="msg_conv_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="uniq_provider_message",
            )
        ]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10)
    name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(max_length=1000, blank=True)
    file = models.FileField(upload_to="conversations/%Y/%m/", blank=True)


class WebhookEvent(models.Model):
    """A provider's delivery as received, before processing (store, then process)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        PROCESSED = "processed", _("Đã xử lý")
        UNSUPPORTED = "unsupported", _("Không hỗ trợ")
        FAILED = "failed", _("Lỗi xử lý")

    channel = models.CharField(max_length=16, choices=Channel.choices)
    # provider event/message id, else a digest of the body: a retried delivery is one row
    event_key = models.CharField(max_length=255)
    event_name = models.CharField(max_length=64, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sự kiện webhook")
        verbose_name_plural = _("sự kiện webhook")
        constraints = [
            models.UniqueConstraint(fields=["channel", "event_key"], name="uniq_webhook_event")
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="webhook_pending",
                condition=models.Q(state="received"),
            )
        ]


class EmailThread(models.Model):
    """Message-IDs seen in an e-mail conversation (threading by In-Reply-To/References)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="email_ids"
    )
    message_id = models.CharField(max_length=255, unique=True)
