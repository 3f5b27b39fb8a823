"""Vietnamese administrative units in force since 1 July 2025 (34 provinces, 2-level wards)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.PositiveIntegerField(_("mã"), primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True)

    class Meta:
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    code = models.PositiveIntegerField(_("mã"), primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(_("tên"), max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True)
    legacy_names = models.TextField(
        _("tên cũ (trước 1/7/2025)"),
        blank=True,
        help_text=_("Phường/xã và quận/huyện cũ đã sáp nhập vào đơn vị này, để tìm kiếm."),
    )
    legacy_folded = models.TextField(blank=True)
    is_rural = models.BooleanField(_("nông thôn (xã)"), default=False)

    class Meta:
        verbose_name = _("phường/xã")
        verbose_name_plural = _("phường/xã")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.province.name}" if self.province_id else self.name


class LegacyWard(models.Model):
    """A ward of the pre-2025 three-level system (63 provinces, districts, wards) and the
    current ward(s) it became on 1 July 2025, from the official conversion table shipped by
    `vietnam-provinces`. Read by the address resolver (`geo.selectors.resolve_address`).

    ``ward_codes`` lists the current wards: one when the old ward went whole into one new
    ward, several when it was split ("sáp nhập một phần"); the agent then picks.
    ``derived`` marks the few old wards the package's table does not cover (merged again in
    early 2025); their ``ward_codes`` are derived by ``geo.services`` (see there)."""

    code = models.PositiveIntegerField(_("mã"), primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    district_code = models.PositiveIntegerField(_("mã quận/huyện"), db_index=True)
    district_name = models.CharField(_("quận/huyện"), max_length=100)
    province_code = models.PositiveIntegerField(_("mã tỉnh cũ"))
    province_name = models.CharField(_("tỉnh/thành phố cũ"), max_length=100)
    ward_codes = models.JSONField(_("phường/xã hiện nay"), default=list)
    derived = models.BooleanField(_("suy ra (không có trong bảng chuyển đổi)"), default=False)

    class Meta:
        verbose_name = _("phường/xã cũ")
        verbose_name_plural = _("phường/xã cũ")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}, {self.district_name}, {self.province_name}"
