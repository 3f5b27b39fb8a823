from django.contrib import admin

from cskh.geo.models import Province, Ward


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name", "name_folded")


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province", "legacy_names")
    list_filter = ("province",)
    search_fields = ("name", "name_folded", "legacy_folded")
