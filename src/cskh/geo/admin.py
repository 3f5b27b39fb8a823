from django.contrib import admin

from cskh.core.admin import ReadOnlyAdmin
from cskh.geo.models import LegacyWard, Province, Ward


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    """Administrative units are loaded by a data migration (cskh.geo.services)."""

    list_display = ("code", "name")
    search_fields = ("name", "name_folded")


@admin.register(Ward)
class WardAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "province", "legacy_names")
    list_filter = ("province",)
    search_fields = ("name", "name_folded", "legacy_folded")


@admin.register(LegacyWard)
class LegacyWardAdmin(ReadOnlyAdmin):
    """Old wards and the current ward(s) they became (official 2025 conversion table)."""

    list_display = ("code", "name", "district_name", "province_name", "ward_codes", "derived")
    list_filter = ("derived", "province_name")
    search_fields = ("name", "district_name")
