from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A customer (personal data: owner app `customers`; retention: 5 years after last contract)."""

    class Segment(models.TextChoices):
        RESIDENTIAL = "residential", _("Hộ gia đình")
        BUSINESS = "business", _("Doanh nghiệp")
        GOVERNMENT = "government", _("Cơ quan")
        VIP = "vip", _("Khách hàng quan trọng")

    class Tag(models.TextChoices):
        VIP = "vip", _("VIP")
        VULNERABLE = "vulnerable", _("Hộ cần ưu tiên")
        MEDICAL = "medical", _("Có thiết bị y tế")
        AT_RISK = "at_risk", _("Nguy cơ rời bỏ")

    code = models.CharField(_("mã khách hàng"), max_length=32, unique=True)
    full_name = models.CharField(_("họ tên"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    zalo_id = models.CharField(_("Zalo ID"), max_length=64, blank=True, db_index=True)
    segment = models.CharField(
        _("phân khúc"), max_length=16, choices=Segment.choices, default=Segment.RESIDENTIAL
    )
    tags = models.JSONField(_("nhãn"), default=list, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    ward = models.ForeignKey(
        "geo.Ward",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("phường/xã"),
    )
    consent_sms = models.BooleanField(_("đồng ý nhận SMS"), default=True)
    consent_zalo = models.BooleanField(_("đồng ý nhận Zalo"), default=True)
    consent_email = models.BooleanField(_("đồng ý nhận email"), default=True)
    consent_marketing = models.BooleanField(_("đồng ý nhận tiếp thị"), default=False)
    preferred_channel = models.CharField(_("kênh ưa thích"), max_length=16, default="sms")
    # The current answer per purpose ({"survey": false, …}), kept in step with the Consent
    # history by customers.services.record_consent: the outbox reads it with the customer it
    # already loaded (no extra query per message). A purpose absent here has no answer yet and
    # falls back to settings.CSKH_CONSENT_DEFAULTS (see docs/privacy.md).
    consents = models.JSONField(_("đồng ý theo mục đích"), default=dict, blank=True)
    # Processing restricted on request (a data-subject request): no messages but service ones.
    restricted = models.BooleanField(_("hạn chế xử lý"), default=False)
    anonymised_at = models.DateTimeField(_("đã ẩn danh lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khách hàng")
        verbose_name_plural = _("khách hàng")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    def primary_phone(self) -> str:
        """E.164 of the primary phone (else the oldest one), or "" without phones. Loaded with
        the customer by the intake selectors (the ``primary_e164`` annotation, see
        customers.selectors.with_primary_phone); otherwise read from the phones (no query when
        they were prefetched)."""
        if hasattr(self, "primary_e164"):
            return self.primary_e164 or ""
        phones = sorted(self.phones.all(), key=lambda p: (not p.is_primary, p.pk))
        return phones[0].e164 if phones else ""


class Phone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    e164 = models.CharField(_("số điện thoại"), max_length=20, db_index=True)
    label = models.CharField(_("ghi chú"), max_length=32, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("số điện thoại")
        verbose_name_plural = _("số điện thoại")
        constraints = [
            models.UniqueConstraint(fields=["customer", "e164"], name="uniq_customer_phone")
        ]

    def __str__(self) -> str:
        return self.e164


class ServicePoint(models.Model):
    """An electricity meter point or a telecom subscription (contract)."""

    class Kind(models.TextChoices):
        METER = "meter", _("Điểm đo điện")
        SUBSCRIPTION = "subscription", _("Thuê bao viễn thông")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        SUSPENDED = "suspended", _("Tạm ngừng")
        TERMINATED = "terminated", _("Đã chấm dứt")
        PENDING = "pending", _("Chờ lắp đặt")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="service_points")
    code = models.CharField(_("mã điểm đo / số hợp đồng"), max_length=40, unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    plan = models.CharField(_("gói / biểu giá"), max_length=100, blank=True)
    start_date = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Network position: feeder → transformer (electricity) or OLT → splitter (telecom).
    feeder_code = models.CharField(_("tuyến dây / OLT"), max_length=32, blank=True, db_index=True)
    transformer_code = models.CharField(
        _("trạm biến áp / splitter"), max_length=32, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("điểm dịch vụ")
        verbose_name_plural = _("điểm dịch vụ")

    def __str__(self) -> str:
        return self.code


class Purpose(models.TextChoices):
    """Why a message is sent to a customer (a consent is given or withdrawn per purpose)."""

    SERVICE = "service", _("Tin dịch vụ (tiếp nhận, xử lý, mất điện/mạng)")
    SURVEY = "survey", _("Khảo sát hài lòng")
    MARKETING = "marketing", _("Tiếp thị / ưu đãi giữ chân")
    REFERRAL = "referral", _("Giới thiệu khách hàng")


class Consent(models.Model):
    """One answer of a customer about one purpose: append-only history (the latest row is the
    one in force, mirrored on Customer.consents)."""

    class Channel(models.TextChoices):
        AGENT = "agent", _("Tư vấn viên ghi nhận")
        PORTAL = "portal", _("Cổng khách hàng")
        SMS = "sms", _("Trả lời SMS")
        PAPER = "paper", _("Văn bản / tại quầy")
        IMPORT = "import", _("Nhập từ hệ thống cũ")
        REQUEST = "request", _("Yêu cầu của chủ thể dữ liệu")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_log")
    purpose = models.CharField(_("mục đích"), max_length=16, choices=Purpose.choices)
    granted = models.BooleanField(_("đồng ý"))
    channel = models.CharField(_("kênh ghi nhận"), max_length=8, choices=Channel.choices)
    recorded_at = models.DateTimeField(_("lúc"))
    recorded_by = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("đồng ý xử lý dữ liệu")
        verbose_name_plural = _("đồng ý xử lý dữ liệu")
        indexes = [
            models.Index(fields=["customer", "purpose", "-recorded_at"], name="consent_cust")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose} {self.granted}"
