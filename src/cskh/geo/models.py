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
