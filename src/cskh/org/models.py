import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cskh.org.names import vietnamese_name


class Unit(models.Model):
    class Kind(models.TextChoices):
        CENTER = "center", _("Trung tâm CSKH")
        DEPARTMENT = "department", _("Phòng/ban")
        FIELD = "field", _("Đơn vị hiện trường")
        TEAM = "team", _("Tổ/nhóm")

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_default = models.BooleanField(
        _("đơn vị mặc định"),
        default=False,
        help_text=_("Nhận yêu cầu khi không có quy tắc nào khớp."),
    )
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wards = models.ManyToManyField(
        "geo.Ward",
        through="ServiceArea",
        blank=True,
        related_name="units",
        verbose_name=_("địa bàn phục vụ"),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="service_areas")
    ward = models.ForeignKey("geo.Ward", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("địa bàn phục vụ")
        verbose_name_plural = _("địa bàn phục vụ")
        constraints = [models.UniqueConstraint(fields=["unit", "ward"], name="uniq_unit_ward")]


class User(AbstractUser):
    class Role(models.TextChoices):
        AGENT = "agent", _("Tư vấn viên")
        SHIFT_LEAD = "shift_lead", _("Trưởng ca")
        UNIT_STAFF = "unit_staff", _("Nhân viên đơn vị")
        MANAGER = "manager", _("Quản lý")
        ADMIN = "admin", _("Quản trị")
        INTEGRATION = "integration", _("Tích hợp hệ thống")
        DPO = "dpo", _("Cán bộ bảo vệ dữ liệu cá nhân")
        COUNTER_STAFF = "counter_staff", _("Giao dịch viên")

    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, default=Role.AGENT)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("đơn vị"),
    )
    extension = models.CharField(_("số máy lẻ"), max_length=16, blank=True, db_index=True)
    languages = models.JSONField(_("ngôn ngữ"), default=list, blank=True)
    case_types = models.ManyToManyField(
        "catalog.CaseType", blank=True, related_name="skilled_users", verbose_name=_("kỹ năng")
    )
    # Moved on by "log out everywhere" (org.services.log_out_everywhere): part of the session
    # auth hash, so every session signed in before no longer matches.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        """Vietnamese order, family name first: "Lê Minh Thành" (see org.names)."""
        return vietnamese_name(self.last_name, self.first_name)

    def get_session_auth_hash(self) -> str:
        """Django's documented hook for session invalidation: the password (a change ends
        every session, as in Django) plus the session epoch ("log out everywhere")."""
        return salted_hmac(
            "cskh.org.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_center_staff(self) -> bool:
        from cskh.org.permissions import CENTER_ROLES  # permissions imports this module

        return self.role in CENTER_ROLES

    @property
    def sees_all_units(self) -> bool:
        from cskh.org.permissions import sees_all_units  # permissions imports this module

        return sees_all_units(self)


def default_token_scopes() -> list[str]:
    return ["read", "write"]


class ApiToken(models.Model):
    """Bearer tokens for integrators and scripts. Only a hash is stored.

    Scopes limit what a token may call on top of its user's role (org.permissions.
    token_allows): ``read`` (GET/HEAD/OPTIONS), ``write`` (every method), ``telephony`` (only
    the PBX call events), ``webhooks`` (only the webhook subscriptions, deliveries and
    their log). A telephony-only token cannot read a customer even though its
    integration user could."""

    class Scope(models.TextChoices):
        READ = "read", _("Đọc")
        WRITE = "write", _("Ghi")
        TELEPHONY = "telephony", _("Sự kiện tổng đài")
        WEBHOOKS = "webhooks", _("Quản lý webhook")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(_("phạm vi"), default=default_token_scopes, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
