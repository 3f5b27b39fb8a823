from django.contrib import admin

from cskh.core.admin import ReadOnlyAdmin
from cskh.textintel.models import InboundAnalysis, ModelVersion


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    """Versions are trained and activated by cskh.textintel.services (`cskh train`, the
    nightly scheduler job), which checks a new version is not worse before activating it."""

    list_display = ("version", "profile", "is_active", "trained_at", "n_examples", "size_bytes")
    list_filter = ("profile", "is_active")
    exclude = ("model",)


@admin.register(InboundAnalysis)
class InboundAnalysisAdmin(ReadOnlyAdmin):
    list_display = ("case", "source", "sentiment", "complaint", "urgent", "created_at")
    list_filter = ("sentiment", "complaint", "urgent")
    raw_id_fields = ("case",)
