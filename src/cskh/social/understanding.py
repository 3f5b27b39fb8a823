"""Understanding social posts: sentiment, actionable, case types, urgency.

``analyze_posts(texts, profile)`` runs every mention through two layers:

1. ``textintel`` (the project's text module): case types with scores for the profile, the
   urgency rules (danger, vulnerable people, long outages) and its sentiment/complaint signal.
2. A social model trained on ``cskh.social.corpus`` (template set A) at first use in each
   process, or ahead of time by ``cskh social_train`` (which also prints the held-out figures).
   Input is ``lexicon.normalize``: folded, teencode expanded, emoji/sarcasm/brand tokens.
   Features: TF-IDF of word 1–2-grams and character 2–5-grams; two logistic regressions
   (sentiment 3 classes, actionable yes/no). The social model decides sentiment and actionable;
   textintel's urgency rules decide ``urgent`` (also on the normalized text, so "day dien bi
   dut" counts), a hazard the model calls actionable is urgent too.

Figures on the held-out template set: ``cskh social_eval`` / ``bench/bench_social.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from cskh.core import fitted
from cskh.social import corpus
from cskh.social.lexicon import normalize
from cskh.textintel import services as text_services
from cskh.textintel.classifier import union_transform

if TYPE_CHECKING:  # scikit-learn is imported where a model is fitted (see textintel.classifier)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

__all__ = [
    "SocialModel",
    "train_model",
    "get_model",
    "analyze_posts",
    "clean_post",
    "normalize_post",
    "evaluate",
]

MODEL_VERSION = "social-1"
ACTIONABLE_THRESHOLD = 0.5


def feature_union() -> FeatureUnion:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("w", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
            (
                "c",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
                ),
            ),
        ]
    )


@dataclass
class SocialModel:
    features: FeatureUnion
    sentiment: LogisticRegression
    actionable: LogisticRegression
    version: str = MODEL_VERSION

    def predict(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        return self.predict_normalized([normalize(t) for t in texts])

    def predict_normalized(self, normalized: Sequence[str]) -> list[dict[str, Any]]:
        """``predict`` for texts already passed through ``lexicon.normalize`` (one matrix for
        the whole batch, through textintel's inference-only TF-IDF twins)."""
        if not normalized:
            return []
        with threadpool_limits(1):
            x = union_transform(self.features, list(normalized))
            ps = self.sentiment.predict_proba(x)
            pa = self.actionable.predict_proba(x)[:, 1]
        labels = list(self.sentiment.classes_)
        out = []
        for row, act in zip(ps, pa, strict=True):
            i = int(np.argmax(row))
            out.append(
                {
                    "sentiment": labels[i],
                    "sentiment_score": float(row[i]),
                    "actionable_score": float(act),
                }
            )
        return out


def train_model(posts: Sequence[corpus.Post] | None = None) -> SocialModel:
    """Fit the models on `posts`, or on the shipped training corpus."""
    return fit_model(*_training_set(posts))


def _training_set(posts: Sequence[corpus.Post] | None) -> tuple[list[str], list[str], list[int]]:
    posts = list(posts if posts is not None else corpus.train())
    return (
        [normalize(p.text) for p in posts],
        [p.sentiment for p in posts],
        [p.actionable for p in posts],
    )


def fit_model(
    texts: list[str],
    sentiments: list[str],
    actionable: list[int],
    versions: tuple[str, ...] = (),
) -> SocialModel:
    """The fit itself, on normalised texts. `versions`: the library versions, for the disk
    cache of get_model (core/fitted.py) to tell pickles of another scikit-learn apart."""
    from sklearn.linear_model import LogisticRegression

    features = feature_union()
    with threadpool_limits(1):
        x = features.fit_transform(texts)
        sent = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(x, sentiments)
        act = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(x, actionable)
    return SocialModel(features=features, sentiment=sent, actionable=act)


_LOCK = threading.Lock()
_MODEL: SocialModel | None = None


def clean_post(text: str) -> str:
    """The part of a post the models read (first 5,000 characters, never empty)."""
    return (text or "").strip()[:5000] or "."


def normalize_post(text: str) -> str:
    return normalize(clean_post(text))


def get_model() -> SocialModel:
    """The process's model, from the shipped corpus: fitted by the first process on this
    machine (about a second), loaded from the disk cache by the others (core/fitted.py)."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = fitted.fit_once(fit_model, *_training_set(None))
    return _MODEL


def analyze_posts(
    texts: Sequence[str], profile: str | None = None, normalized: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One dict per text: sentiment, sentiment_score, actionable, actionable_score,
    case_types [{"code","score"}], urgent, urgency_reasons. The whole batch goes through each
    model in one call. ``normalized``: ``normalize_post(text)`` of each text, when the caller
    already has it (intake shares it with duplicate detection)."""
    if not texts:
        return []
    clean = [clean_post(t) for t in texts]
    norm = list(normalized) if normalized is not None else [normalize(t) for t in clean]
    base = text_services.classify_texts(clean, profile)
    social = get_model().predict_normalized(norm)
    # urgency rules again on the normalized form (teencode and missing marks expanded), only
    # where it can change the answer: actionable posts the first pass did not call urgent
    again = [
        i
        for i, (b, s) in enumerate(zip(base, social, strict=True))
        if s["actionable_score"] >= ACTIONABLE_THRESHOLD and not b["urgent"]
    ]
    plain: list[dict[str, Any]] = [{"urgent": False, "urgency_reasons": []} for _ in clean]
    if again:
        second = text_services.urgency_of_texts([norm[i] or "." for i in again])
        for i, (urgent, reasons) in zip(again, second, strict=True):
            plain[i] = {"urgent": urgent, "urgency_reasons": reasons}
    out = []
    for b, p, s in zip(base, plain, social, strict=True):
        actionable = s["actionable_score"] >= ACTIONABLE_THRESHOLD
        sentiment = s["sentiment"]
        if actionable and sentiment == "positive":
            sentiment = "negative" if s["sentiment_score"] < 0.8 else sentiment
        urgent = bool(b["urgent"] or p["urgent"]) and actionable
        out.append(
            {
                "sentiment": sentiment,
                "sentiment_score": round(s["sentiment_score"], 4),
                "actionable": actionable,
                "actionable_score": round(s["actionable_score"], 4),
                "case_types": [
                    {"code": c["code"], "score": round(float(c["score"]), 4)}
                    for c in b["case_types"]
                ],
                "urgent": urgent,
                "urgency_reasons": list(dict.fromkeys(b["urgency_reasons"] + p["urgency_reasons"])),
            }
        )
    return out


def evaluate(posts: Sequence[corpus.Post], model: SocialModel | None = None) -> dict[str, Any]:
    """Accuracy (sentiment), precision/recall/F1 (actionable), per-subset accuracy."""
    model = model or get_model()
    pred = model.predict([p.text for p in posts])
    n = len(posts)
    acc = sum(p.sentiment == q["sentiment"] for p, q in zip(posts, pred, strict=True)) / n
    tp = fp = fn = 0
    for p, q in zip(posts, pred, strict=True):
        guess = q["actionable_score"] >= ACTIONABLE_THRESHOLD
        tp += guess and p.actionable == 1
        fp += guess and p.actionable == 0
        fn += (not guess) and p.actionable == 1
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    errors = [
        (p.text, p.sentiment, q["sentiment"], p.actionable, round(q["actionable_score"], 2))
        for p, q in zip(posts, pred, strict=True)
        if p.sentiment != q["sentiment"] or p.actionable != (q["actionable_score"] >= 0.5)
    ]
    return {
        "n": n,
        "sentiment_accuracy": acc,
        "actionable_precision": prec,
        "actionable_recall": rec,
        "actionable_f1": f1,
        "errors": errors,
    }
