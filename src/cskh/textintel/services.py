"""Text intelligence services: the versioned case-type models, analysis of customer text and
the reaction to a case being opened (sentiment / complaint / urgency stored, urgent cases raised).

The only module here that changes state (ModelVersion, InboundAnalysis)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.catalog.models import Priority
from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.textintel import classifier, sentiment
from cskh.textintel.models import InboundAnalysis, ModelVersion

if TYPE_CHECKING:
    from cskh.cases.models import Case

log = logging.getLogger(__name__)

MAX_BATCH = 1000


def max_chars() -> int:
    return int(settings.CSKH_TEXTINTEL_MAX_CHARS)


# ---------------------------------------------------------------- input checks


def check_profile(profile: str | None) -> str:
    """The given profile code, or the installation's active profile when empty."""
    if not profile:
        from cskh.catalog.services import active_profile

        try:
            profile = active_profile().code
        except DomainError:
            profile = classifier.PROFILES[0]
    if profile not in classifier.PROFILES:
        raise DomainError(
            _("Ngành không hợp lệ: %(p)s (chỉ hỗ trợ electricity hoặc telecom).") % {"p": profile},
            code="bad_profile",
        )
    return profile


def check_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Văn bản cần phân tích đang trống."), code="empty_text")
    if len(text) > max_chars():
        raise DomainError(
            _("Văn bản quá dài (tối đa %(n)s ký tự).") % {"n": max_chars()}, code="too_long"
        )
    return text


# ---------------------------------------------------------------- model versions

_LOADED: dict[str, classifier.TrainedModel] = {}  # version → model, per process
_LOCK = threading.Lock()


def is_loaded(profile: str) -> bool:
    """A case-type model of this profile is in this process's memory (no database access)."""
    return any(m.profile == profile for m in list(_LOADED.values()))


def active_model(profile: str) -> classifier.TrainedModel:
    """The active case-type model of a profile. The first use installs the shipped default
    (trained from the seed corpus) as the first active ModelVersion."""
    profile = check_profile(profile)
    version = (
        ModelVersion.objects.filter(profile=profile, is_active=True)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        return install_default(profile)
    model = _LOADED.get(version)
    if model is None:
        with _LOCK:
            blob = ModelVersion.objects.values_list("model", flat=True).get(version=version)
            model = classifier.TrainedModel.from_bytes(bytes(blob))
            _LOADED[version] = model
    return model


def _save_version(model: classifier.TrainedModel, *, note: str = "") -> ModelVersion:
    blob = model.to_bytes()
    return ModelVersion.objects.create(
        profile=model.profile,
        version=model.version,
        metrics=model.metrics,
        trained_at=timezone.now(),
        corpus_digest=model.digest,
        n_examples=model.metrics.get("n_train", 0),
        is_active=False,
        model=blob,
        size_bytes=len(blob),
        note=note[:200],
    )


def _activate(row: ModelVersion, *, actor: Actor = None) -> None:
    with transaction.atomic():
        ModelVersion.objects.filter(profile=row.profile, is_active=True).exclude(pk=row.pk).update(
            is_active=False
        )
        ModelVersion.objects.filter(pk=row.pk).update(is_active=True)
        row.is_active = True
        audit.record(
            actor=actor,
            action="textintel.activate_model",
            obj=row,
            changes={"profile": row.profile, "version": row.version},
        )


def install_default(profile: str) -> classifier.TrainedModel:
    """Store and activate the seed-trained model (trained once per process and cached)."""
    model = classifier.default_model(profile)
    try:
        with transaction.atomic():
            row = ModelVersion.objects.filter(version=model.version).first()
            if row is None:
                row = _save_version(model, note="seed")
            if not ModelVersion.objects.filter(profile=profile, is_active=True).exists():
                _activate(row)
    except IntegrityError:  # another process installed it at the same moment
        log.info("default model for %s installed concurrently", profile)
    _LOADED.setdefault(model.version, model)
    return active_model(profile)


def train_model(
    profile: str | None,
    *,
    extra: Iterable[tuple[str, str]] | None = None,
    activate: bool = True,
    actor: Actor = None,
) -> dict[str, Any]:
    """Retrain from the seed corpus plus cases whose type an agent confirmed or corrected
    (``cskh.cases.selectors.labelled_texts``), score candidate and active model on the same
    held-out share, store the candidate and activate it only if it is not worse (macro-F1 and
    accuracy). Returns a summary dict."""
    from cskh.cases.selectors import labelled_texts

    profile = check_profile(profile)
    current = active_model(profile)
    if extra is None:
        extra = list(labelled_texts(profile))
    version = f"{profile}-{timezone.now():%Y%m%d%H%M%S}"
    candidate = classifier.train(profile, extra, version=version)
    candidate.version = f"{version}-{candidate.digest[:8]}"
    result = {
        "profile": profile,
        "candidate": candidate.version,
        "previous": current.version,
        "metrics": candidate.metrics,
        "activated": False,
    }
    if candidate.digest == current.digest:
        result["reason"] = "unchanged"
        return result
    _, pairs, _ = classifier.training_pairs(profile, extra)
    _, eval_pairs = classifier.split(pairs)
    previous = classifier.evaluate(current, eval_pairs)
    new = candidate.metrics["eval"]
    result["previous_metrics"] = previous
    candidate.metrics["previous"] = {"version": current.version, **previous}
    not_worse = new.get("n", 0) > 0 and (
        new["macro_f1"] >= previous["macro_f1"] and new["accuracy"] >= previous["accuracy"]
    )
    with transaction.atomic():
        row = _save_version(candidate, note="retrain")
        if activate and not_worse:
            _activate(row, actor=actor)
            result["activated"] = True
    _LOADED[candidate.version] = candidate
    result["reason"] = "better_or_equal" if not_worse else "worse"
    return result


# ---------------------------------------------------------------- analysis


def analyze_texts(texts: Sequence[str], profile: str | None = None) -> list[dict[str, Any]]:
    """Checked analysis of up to MAX_BATCH texts (DomainError on bad input, nothing stored)."""
    profile = check_profile(profile)
    if not isinstance(texts, list | tuple):
        raise DomainError(_("Danh sách văn bản không hợp lệ."), code="bad_batch")
    if not texts:
        raise DomainError(_("Danh sách văn bản đang trống."), code="empty_batch")
    if len(texts) > MAX_BATCH:
        raise DomainError(
            _("Tối đa %(n)s văn bản mỗi lần.") % {"n": MAX_BATCH},
            status=413,
            code="batch_too_large",
        )
    cleaned = [check_text(t) for t in texts]
    return sentiment.analyze_batch(cleaned, profile, model=active_model(profile))


def classify_texts(texts: Sequence[str], profile: str | None = None) -> list[dict[str, Any]]:
    """Case types and urgency of up to MAX_BATCH texts, without the sentiment model:
    {"case_types", "urgent", "urgency_reasons"} each (social listening has its own)."""
    profile = check_profile(profile)
    if not texts or len(texts) > MAX_BATCH:
        raise DomainError(_("Danh sách văn bản không hợp lệ."), code="bad_batch")
    cleaned = [check_text(t) for t in texts]
    return sentiment.case_types_and_urgency(cleaned, profile, model=active_model(profile))


def urgency_of_texts(texts: Sequence[str]) -> list[tuple[bool, list[str]]]:
    """(urgent, reasons) of each text by the urgency rules alone (no model)."""
    return [sentiment.urgency(t) for t in texts]


def analyze_text(text: str, profile: str | None = None) -> dict[str, Any]:
    return analyze_texts([text], profile)[0]


def suggest_case_type(text: str, profile: str | None = None) -> dict[str, Any] | None:
    """Best case type for the desk's suggestion chip: {"code", "confidence", "model_version",
    "alternatives": [{"code", "score"}...]} or None for empty text."""
    text = (text or "").strip()[: max_chars()]
    if not text:
        return None
    profile = check_profile(profile)
    model = active_model(profile)
    top = model.suggest(text, k=3)
    code, score = top[0]
    return {
        "code": code,
        "confidence": score,
        "model_version": model.version,
        "alternatives": [{"code": c, "score": s} for c, s in top],
    }


def record_analysis(
    *,
    text: str,
    profile: str | None = None,
    case: Case | None = None,
    source: str = "case",
    source_id: str = "",
) -> InboundAnalysis:
    """Analyse one inbound message (sentiment, complaint, urgency; no case-type suggestion)
    and store it."""
    row = build_analysis(text=text, profile=profile, case=case, source=source, source_id=source_id)
    row.save(force_insert=True)
    return row


def build_analysis(
    *,
    text: str,
    profile: str | None = None,
    case: Case | None = None,
    source: str = "case",
    source_id: str = "",
) -> InboundAnalysis:
    """record_analysis without the write: the unsaved row."""
    prof = check_profile(profile)
    text = (text or "").strip()[: max_chars()]
    sent = sentiment.analyze_sentiment(text) if text else sentiment.EMPTY
    return InboundAnalysis(
        case=case,
        source=source,
        source_id=str(source_id)[:64],
        profile=prof,
        sentiment=sent["sentiment"],
        sentiment_score=sent["sentiment_score"],
        complaint=sent["complaint"],
        urgent=sent["urgent"],
        urgency_reasons=sent["urgency_reasons"],
        model_version=sentiment.SENTIMENT_VERSION,
    )


def warm_up() -> None:
    """Train/load the models a request would otherwise build on first use (about a second of
    imports and training per process): `cskh serve` calls it in every worker at start."""
    sentiment.get_model()
    try:
        from cskh.catalog.services import active_profile

        code = active_profile().code
    except Exception:  # no profile installed yet (fresh database): nothing more to load
        return
    if code in classifier.PROFILES:
        active_model(code)


# ---------------------------------------------------------------- hooks


def on_case_opened(*, case: Case, actor: Actor = None, **_kw: object) -> None:
    """settings.CSKH_HOOKS["case_opened"]: store sentiment/complaint/urgency of the description
    and raise an urgent case to priority 1 (Khẩn cấp) through the cases service. Never breaks
    case intake: a failed analysis is logged and skipped. The analysis runs before anything is
    written, so the common path needs no savepoint; raising the priority (rare) gets one."""
    try:
        profile = getattr(getattr(case.case_type, "profile", None), "code", None)
        text = " ".join(x for x in (case.subject, case.description) if x)
        if case.subject and case.subject == getattr(case.case_type, "name", None):
            text = case.description  # the default subject is the type name: not the customer's
        row = build_analysis(
            text=text,
            profile=profile if profile in classifier.PROFILES else None,
            case=case,
            source="case",
            source_id=str(case.pk),
        )
    except Exception:
        log.exception("text analysis of case %s failed", getattr(case, "pk", None))
        return
    row.save(force_insert=True)
    if row.urgent and case.priority > Priority.URGENT:
        try:
            with transaction.atomic():
                from cskh.cases.services import change_priority

                change_priority(
                    case=case,
                    priority=Priority.URGENT,
                    actor=None,
                    at=case.created_at,
                    reason=str(_("Dấu hiệu khẩn cấp: %(r)s"))
                    % {"r": ", ".join(row.urgency_reasons)},
                )
        except Exception:
            log.exception("raising the priority of case %s failed", getattr(case, "pk", None))
