"""Customer experience: surveys (CSAT per touchpoint, NPS campaigns), their rollups, detractor
follow-ups, churn scores and the save desk, referrals and their reward ledger."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Touchpoint(models.TextChoices):
    HOTLINE = "hotline", _("Tổng đài")
    FIELD = "field", _("Hiện trường")
    WRITTEN = "written", _("Kênh viết (chat, email, Zalo)")
    COUNTER = "counter", _("Quầy giao dịch")
    CAMPAIGN = "campaign", _("Khảo sát NPS")


class NpsCampaign(models.Model):
    """An NPS wave: a seeded random sample of a segment, sent `per_tick` at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        RUNNING = "running", _("Đang gửi")
        DONE = "done", _("Đã gửi xong")

    name = models.CharField(_("tên"), max_length=200)
    # {"tenure_min_months", "tenure_max_months", "plan_contains", "province_code", "ward_codes"}
    segment = models.JSONField(_("phân khúc"), default=dict, blank=True)
    sample_size = models.PositiveIntegerField(_("cỡ mẫu"), default=500)
    per_tick = models.PositiveIntegerField(_("số tin mỗi lượt"), default=100)
    starts_at = models.DateTimeField(_("bắt đầu gửi"))
    seed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    sampled = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chiến dịch NPS")
        verbose_name_plural = _("chiến dịch NPS")

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """One invitation to rate one touchpoint (CSAT 1–5) or the company (NPS 0–10)."""

    class Kind(models.TextChoices):
        CSAT = "csat", _("CSAT (1–5)")
        NPS = "nps", _("NPS (0–10)")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        ANSWERED = "answered", _("Đã trả lời")
        EXPIRED = "expired", _("Hết hạn")
        SUPPRESSED = "suppressed", _("Không gửi")

    kind = models.CharField(max_length=4, choices=Kind.choices)
    touchpoint = models.CharField(max_length=10, choices=Touchpoint.choices)
    # one survey per touchpoint occurrence ("case:12:0", "wo:5", "conv:9", "nps:3:77")
    source_key = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        NpsCampaign, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    # who and what is rated (denormalised at creation: the rollups group on them)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    office = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, blank=True)
    case_type = models.ForeignKey(
        "catalog.CaseType", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    suppress_reason = models.CharField(max_length=32, blank=True)
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_channel = models.CharField(max_length=8, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    topic = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("khảo sát")
        verbose_name_plural = _("khảo sát")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="survey_customer"),
            models.Index(
                fields=["send_at"], name="survey_due", condition=models.Q(status="scheduled")
            ),
            models.Index(fields=["sent_at"], name="survey_sent", condition=models.Q(status="sent")),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.source_key}"


class SurveyOptOut(models.Model):
    """The customer asked for no more surveys (any channel, any touchpoint)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    created_at = models.DateTimeField()
    source = models.CharField(max_length=32, blank=True)


class Rollup(models.Model):
    """Running totals per kind × dimension × key × month, kept in step with the surveys
    (sent on send, answers on answer) so results never scan the survey table."""

    kind = models.CharField(max_length=4)
    dim = models.CharField(max_length=10)
    key = models.CharField(max_length=32)
    month = models.DateField()
    sent = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    high = models.PositiveIntegerField(default=0)  # CSAT 4–5, NPS 9–10
    low = models.PositiveIntegerField(default=0)  # CSAT 1–2, NPS 0–6
    score_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "dim", "month", "key"], name="uniq_cx_rollup")
        ]


class FollowUp(models.Model):
    """Closing the loop with a detractor: a call-back case and its recorded outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Chưa gọi lại")
        RESOLVED = "resolved", _("Đã gọi, khách hài lòng hơn")
        UNRESOLVED = "unresolved", _("Đã gọi, chưa giải quyết được")
        UNREACHABLE = "unreachable", _("Không liên lạc được")

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="followup")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()


# ----------------------------------------------------------------------------- churn


class ContractAttributes(models.Model):
    """Contract/billing attributes imported from the billing system (CSV, see docs/cx.md)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    contract_type = models.CharField(max_length=16, blank=True)  # month | one_year | two_year
    contract_end = models.DateField(null=True, blank=True)
    monthly_charge = models.FloatField(default=0)
    total_charges = models.FloatField(default=0)
    payment_method = models.CharField(max_length=24, blank=True)
    paperless = models.BooleanField(default=False)
    late_payments_6m = models.PositiveSmallIntegerField(default=0)
    national_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    churned = models.BooleanField(null=True, blank=True)  # label when known (training)
    imported_at = models.DateTimeField()


class ChurnModel(models.Model):
    profile = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    algorithm = models.CharField(max_length=40)
    features = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    blob = models.BinaryField()
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "version"], name="uniq_churn_model")
        ]


class ChurnScore(models.Model):
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    score = models.FloatField()
    # [{"code", "text", "weight"}...], Vietnamese text, strongest first
    reasons = models.JSONField(default=list)
    model_version = models.PositiveIntegerField()
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-score"], name="churnscore_score")]


class RetentionOffer(models.Model):
    """A retention offer and who it may be given to (all listed rules must hold)."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)
    min_score = models.FloatField(_("điểm rủi ro tối thiểu"), default=0)
    min_tenure_months = models.PositiveSmallIntegerField(
        _("thâm niên tối thiểu (tháng)"), default=0
    )
    contract_types = models.JSONField(_("loại hợp đồng"), default=list, blank=True)
    segments = models.JSONField(_("phân khúc"), default=list, blank=True)
    max_per_customer_year = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("ưu đãi giữ chân")
        verbose_name_plural = _("ưu đãi giữ chân")

    def __str__(self) -> str:
        return self.name


class RetentionEntry(models.Model):
    """A customer in the save desk's queue; hold-out entries are tracked but never worked."""

    class Group(models.TextChoices):
        TREATMENT = "treatment", _("Được chăm sóc")
        HOLDOUT = "holdout", _("Nhóm đối chứng")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Đang xử lý")
        SAVED = "saved", _("Giữ chân được")
        LOST = "lost", _("Đã rời bỏ")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=10, choices=Group.choices)
    reason = models.CharField(max_length=16)  # score | cancellation
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer = models.ForeignKey(RetentionOffer, null=True, blank=True, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    is_open = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    worked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["is_open", "group", "-score"], name="retention_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(is_open=True), name="uniq_open_retention"
            )
        ]


# ----------------------------------------------------------------------------- referrals


class ReferralCode(models.Model):
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField()


class Referral(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ ký hợp đồng")
        REJECTED = "rejected", _("Từ chối")
        CONVERTED = "converted", _("Đã thành khách hàng")

    code = models.ForeignKey(ReferralCode, on_delete=models.CASCADE, related_name="referrals")
    referrer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16)  # sms | zalo | email | web | counter | agent
    prospect_name = models.CharField(max_length=200)
    prospect_phone = models.CharField(max_length=20)
    prospect_address = models.CharField(max_length=300, blank=True)
    prospect_id_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(max_length=32, blank=True)
    referred_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contract_active_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["referrer", "created_at"], name="referral_referrer")]


class RewardEntry(models.Model):
    """Append-only reward ledger: earned → approved → paid, one row per step."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("Đạt điều kiện")
        APPROVED = "approved", _("Đã duyệt")
        PAID = "paid", _("Đã chi trả")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="rewards")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.PositiveIntegerField()  # VND
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="uniq_reward_step")
        ]
