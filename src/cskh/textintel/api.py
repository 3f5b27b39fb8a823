"""/api/v1/text: analysis of Vietnamese customer text (case-type suggestion, sentiment,
complaint, urgency) and the model versions behind it."""

from datetime import datetime

from ninja import Router, Schema

from cskh.textintel import selectors, services

router = Router(tags=["text"])


class AnalyzeIn(Schema):
    text: str
    profile: str | None = None


class BatchIn(Schema):
    texts: list[str]
    profile: str | None = None


class CaseTypeScore(Schema):
    code: str
    score: float


class AnalysisOut(Schema):
    case_types: list[CaseTypeScore]
    sentiment: str
    sentiment_score: float
    complaint: bool
    urgent: bool
    urgency_reasons: list[str]
    model_version: str


class BatchOut(Schema):
    items: list[AnalysisOut]
    model_version: str


class ModelVersionOut(Schema):
    profile: str
    version: str
    is_active: bool
    trained_at: datetime
    corpus_digest: str
    n_examples: int
    size_bytes: int
    metrics: dict
    note: str


class ModelList(Schema):
    items: list[ModelVersionOut]
    next_cursor: str | None = None


@router.post("/analyze", response=AnalysisOut)
def analyze(request, payload: AnalyzeIn):
    return services.analyze_text(payload.text, payload.profile)


@router.post("/analyze/batch", response=BatchOut)
def analyze_batch(request, payload: BatchIn):
    items = services.analyze_texts(payload.texts, payload.profile)
    return {"items": items, "model_version": items[0]["model_version"]}


@router.get("/models", response=ModelList)
def models(request, profile: str | None = None):
    if profile:
        profile = services.check_profile(profile)
    return {"items": list(selectors.model_versions(profile)[:100])}
