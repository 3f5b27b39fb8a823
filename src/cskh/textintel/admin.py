from django.contrib import admin

from cskh.textintel.models import InboundAnalysis, ModelVersion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "profile", "is_active", "trained_at", "n_examples", "size_bytes")
    list_filter = ("profile", "is_active")
    exclude = ("model",)
    readonly_fields = ("profile", "version", "metrics", "trained_at", "corpus_digest", "size_bytes")


@admin.register(InboundAnalysis)
class InboundAnalysisAdmin(admin.ModelAdmin):
    list_display = ("case", "source", "sentiment", "complaint", "urgent", "created_at")
    list_filter = ("sentiment", "complaint", "urgent")
    raw_id_fields = ("case",)
