"""Case-type suggestion: a per-profile text classifier trained from the shipped seed corpus
(src/cskh/textintel/data/seed_<profile>.tsv) plus optional labelled history.

Features: TF-IDF over ``normalize_for_model`` text (folded, abbreviations expanded, phones /
codes / amounts replaced by placeholders): word 1-2 grams + char_wb 2-5 grams.
Model: multinomial logistic regression (probabilities for the top-k suggestions).
Pure Python/scikit-learn, no Django.
"""

from __future__ import annotations

import csv
import hashlib
import io
import pickle
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import FeatureUnion, Pipeline

from cskh.textintel.normalize import normalize_for_model

DATA_DIR = Path(__file__).resolve().parent / "data"
PROFILES = ("electricity", "telecom")
FORMAT = "textintel-clf-1"  # bump when the pickled structure changes


class UnknownProfile(ValueError):
    pass


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise UnknownProfile(profile)


@lru_cache(maxsize=8)
def load_seed_rows(profile: str) -> tuple[dict, ...]:
    """Rows of seed_<profile>.tsv as dicts (text, case_type, sentiment, complaint, urgent)."""
    _check_profile(profile)
    path = DATA_DIR / f"seed_{profile}.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh, delimiter="\t"))


def load_seed(profile: str) -> list[tuple[str, str]]:
    return [(r["text"], r["case_type"]) for r in load_seed_rows(profile)]


def case_type_codes(profile: str) -> list[str]:
    return sorted({code for _, code in load_seed(profile)})


def build_pipeline(seed: int = 0) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=1,
                    token_pattern=r"(?u)\b\w+\b",
                    dtype=np.float32,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=60000,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    clf = LogisticRegression(C=20.0, max_iter=2000, random_state=seed)
    return Pipeline([("features", features), ("clf", clf)])


@dataclass
class TrainedModel:
    profile: str
    labels: list[str]
    pipeline: Pipeline
    version: str = ""
    metrics: dict = field(default_factory=dict)
    format: str = FORMAT

    # ---- inference
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        prepared = [normalize_for_model(t) for t in texts]
        return self.pipeline.predict_proba(prepared)

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.suggest_batch([text], k=k)[0]

    def suggest_batch(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        if not texts:
            return []
        proba = self.predict_proba(texts)
        classes = self.pipeline.classes_
        k = max(1, min(k, len(classes)))
        top = np.argsort(-proba, axis=1)[:, :k]
        return [
            [(str(classes[j]), round(float(row[j]), 4)) for j in idx]
            for row, idx in zip(proba, top, strict=True)
        ]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(x) for x in self.pipeline.predict([normalize_for_model(t) for t in texts])]

    # ---- persistence
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        pickle.dump(
            {
                "format": self.format,
                "profile": self.profile,
                "labels": self.labels,
                "version": self.version,
                "metrics": self.metrics,
                "pipeline": self.pipeline,
            },
            buf,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedModel:
        # Only bytes that cskh itself produced and stored (ModelVersion.model) are loaded here.
        obj = pickle.loads(data)  # noqa: S301
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise ValueError("incompatible model format")
        return cls(
            profile=obj["profile"],
            labels=obj["labels"],
            pipeline=obj["pipeline"],
            version=obj["version"],
            metrics=obj["metrics"],
        )


def _stratified_split(
    pairs: Sequence[tuple[str, str]], test_size: float, seed: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    by_label: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        by_label.setdefault(pair[1], []).append(pair)
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(by_label):
        items = by_label[label][:]
        rng.shuffle(items)
        n_test = int(round(len(items) * test_size)) if len(items) >= 5 else 0
        test.extend(items[:n_test])
        train.extend(items[n_test:])
    return train, test


def evaluate(model: TrainedModel, pairs: Sequence[tuple[str, str]]) -> dict:
    if not pairs:
        return {"n": 0}
    texts, gold = zip(*pairs, strict=True)
    pred = model.predict(list(texts))
    return {
        "n": len(pairs),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(float(f1_score(gold, pred, average="macro", zero_division=0)), 4),
    }


def _clean_pairs(pairs: Iterable[tuple[str, str]], labels: set[str]) -> list[tuple[str, str]]:
    out = []
    for text, code in pairs:
        text = (text or "").strip()
        if text and code in labels and normalize_for_model(text):
            out.append((text[:5000], code))
    return out


def corpus_digest(pairs: Sequence[tuple[str, str]]) -> str:
    h = hashlib.sha256(FORMAT.encode())
    for text, code in pairs:
        h.update(text.encode("utf-8", "replace"))
        h.update(b"\t")
        h.update(code.encode())
        h.update(b"\n")
    return h.hexdigest()[:12]


def train(
    profile: str,
    extra: Iterable[tuple[str, str]] = (),
    *,
    test_size: float = 0.2,
    seed: int = 0,
    version: str | None = None,
    holdout: Sequence[tuple[str, str]] | None = None,
) -> TrainedModel:
    """Train the case-type model for a profile from the seed corpus plus ``extra`` labelled
    (text, code) pairs (codes unknown to the profile are ignored).

    Evaluation: a stratified ``test_size`` split of seed+extra is held out, a model is fitted on
    the rest and scored (``metrics['split']``); when ``holdout`` pairs are given they are scored
    too (``metrics['holdout']``). The returned model is then refitted on all the data."""
    _check_profile(profile)
    started = time.perf_counter()
    seed_pairs = load_seed(profile)
    labels = sorted({c for _, c in seed_pairs})
    extra_pairs = _clean_pairs(extra, set(labels))
    pairs = seed_pairs + extra_pairs
    metrics: dict = {"n_seed": len(seed_pairs), "n_extra": len(extra_pairs)}

    if test_size > 0:
        train_pairs, test_pairs = _stratified_split(pairs, test_size, seed)
        probe = _fit(profile, labels, train_pairs, seed)
        metrics["split"] = evaluate(probe, test_pairs)
        if holdout:
            metrics["holdout_probe"] = evaluate(probe, holdout)

    model = _fit(profile, labels, pairs, seed)
    if holdout:
        metrics["holdout"] = evaluate(model, holdout)
    metrics["train_seconds"] = round(time.perf_counter() - started, 3)
    model.metrics = metrics
    model.version = version or f"{profile}-seed-{corpus_digest(pairs)}"
    return model


def _fit(profile: str, labels: list[str], pairs: Sequence[tuple[str, str]], seed: int):
    texts = [normalize_for_model(t) for t, _ in pairs]
    y = [c for _, c in pairs]
    pipeline = build_pipeline(seed)
    pipeline.fit(texts, y)
    return TrainedModel(profile=profile, labels=labels, pipeline=pipeline)


# ---------------------------------------------------------------- module-level convenience

_DEFAULT: dict[str, TrainedModel] = {}


def default_model(profile: str) -> TrainedModel:
    """Seed-trained model for a profile, trained once per process (no evaluation split)."""
    _check_profile(profile)
    if profile not in _DEFAULT:
        _DEFAULT[profile] = train(profile, test_size=0)
    return _DEFAULT[profile]


def suggest(text: str, profile: str, k: int = 3) -> list[tuple[str, float]]:
    return default_model(profile).suggest(text, k=k)


def suggest_batch(texts: Sequence[str], profile: str, k: int = 3) -> list[list[tuple[str, float]]]:
    return default_model(profile).suggest_batch(texts, k=k)


def load_heldout(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["text"], r["case_type"]) for r in csv.DictReader(fh, delimiter="\t")]
