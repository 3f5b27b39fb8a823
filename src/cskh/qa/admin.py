"""Read-only admin views of QA rows. Scorecards change only by publishing a new version
(``qa.services.publish_scorecard``), so reviews keep the version they were scored with."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cskh.qa.models import AttitudeFlag, Criterion, Review, Scorecard


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("position", "label", "weight", "auto_fail")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnly):
    list_display = ("name", "version", "is_active", "created_at")
    inlines = [CriterionInline]


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ("id", "week", "agent", "reviewer", "sample", "status", "score", "auto_failed")
    list_filter = ("status", "sample")
    list_select_related = ("agent", "reviewer")
    raw_id_fields = ("case",)


@admin.register(AttitudeFlag)
class AttitudeFlagAdmin(ReadOnly):
    list_display = ("created_at", "agent", "codes", "score", "excerpt")
    list_select_related = ("agent",)
    raw_id_fields = ("case",)
