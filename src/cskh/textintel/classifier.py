"""Case-type suggestion: a per-profile text classifier trained from the shipped seed corpus
(src/cskh/textintel/data/seed_<profile>.tsv) plus optional labelled history.

Features: TF-IDF over ``normalize_for_model`` text (folded, abbreviations expanded, phones /
codes / amounts replaced by placeholders): word 1-2 grams + char_wb 3-5 grams (robust to typos).
Model: multinomial logistic regression (probabilities for the top-k suggestions).
Evaluation: a deterministic share of the corpus (one text in five, by hash of its folded text,
see ``is_eval``) is never trained on, so all versions are scored on the same unseen examples.
Inference goes through ``FastTfidf``/``lr_proba`` (same numbers as scikit-learn, without its
per-call validation). Pure Python/scikit-learn, no Django; versions are stored by
``cskh.textintel.services`` in ModelVersion.
"""

from __future__ import annotations

import csv
import hashlib
import io
import pickle
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from cskh.core import fitted
from cskh.textintel.normalize import fold, normalize_for_model

if TYPE_CHECKING:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

# scikit-learn (and SciPy's sparse matrices) are imported where a model is fitted or scored,
# not with this module: importing them takes over a second of CPU, which every process
# starting Django (each `cskh` command, web and queue worker) paid although most never fit a
# model. A stored model brings them along when it is unpickled.

DATA_DIR = Path(__file__).resolve().parent / "data"
PROFILES = ("electricity", "telecom")
FORMAT = "textintel-clf-2"  # bump when the pickled structure changes


class UnknownProfile(ValueError):
    pass


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise UnknownProfile(profile)


@lru_cache(maxsize=8)
def load_seed_rows(profile: str) -> tuple[dict, ...]:
    """Rows of seed_<profile>.tsv as dicts (text, case_type, sentiment, complaint, urgent).

    Cached for the life of the process, outside core.refcache: the seed files ship with the
    code, so they cannot change under a running process. (Trained models are cached by
    textintel.services per version string, which names one immutable fitted model.)"""
    _check_profile(profile)
    path = DATA_DIR / f"seed_{profile}.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh, delimiter="\t"))


def load_seed(profile: str) -> list[tuple[str, str]]:
    return [(r["text"], r["case_type"]) for r in load_seed_rows(profile)]


def build_pipeline(seed: int = 0) -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

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
                    ngram_range=(3, 5),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=40000,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    clf = LogisticRegression(C=20.0, max_iter=2000, random_state=seed)
    return Pipeline([("features", features), ("clf", clf)])


class FastTfidf:
    """Inference-only twin of a fitted TfidfVectorizer (same analyzer, vocabulary, idf,
    sublinear tf and l2 norm) without scikit-learn's per-call input validation, which costs
    ~1 ms per call and dominated single-message latency."""

    def __init__(self, vectorizer: TfidfVectorizer):
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary = vectorizer.vocabulary_
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.norm = vectorizer.norm
        self.n_features = len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocabulary, analyze = self.vocabulary, self.analyze
        indptr = [0]
        indices: list[int] = []
        values: list[int] = []
        for doc in texts:
            counts: dict[int, int] = {}
            for token in analyze(doc):
                j = vocabulary.get(token)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            indices.extend(counts)
            values.extend(counts.values())
            indptr.append(len(indices))
        data = np.asarray(values, dtype=np.float64)
        cols = np.asarray(indices, dtype=np.int32)
        if self.sublinear and data.size:
            np.log(data, out=data)
            data += 1.0
        data *= self.idf[cols]
        ptr = np.asarray(indptr, dtype=np.int32)
        if self.norm == "l2" and data.size:
            rows = np.repeat(np.arange(len(texts)), np.diff(ptr))
            norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(texts)))
            norms[norms == 0] = 1.0
            data /= norms[rows]
        import scipy.sparse as sp

        return sp.csr_matrix((data, cols, ptr), shape=(len(texts), self.n_features))


_FAST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # fitted union → fast twins


def union_transform(union: FeatureUnion, texts: Sequence[str]):
    """FeatureUnion.transform for TF-IDF parts, through FastTfidf (same matrix, ~10x less
    per-call overhead). Fast twins are cached per fitted union (never pickled)."""
    fast = _FAST.get(union)
    if fast is None:
        fast = [FastTfidf(t) for _, t in union.transformer_list]
        _FAST[union] = fast
    parts = [f.transform(texts) for f in fast]
    if len(parts) == 1:
        return parts[0]
    import scipy.sparse as sp

    return sp.hstack(parts, format="csr")


def lr_proba(clf: LogisticRegression, X) -> np.ndarray:
    """LogisticRegression.predict_proba without input validation (same numbers)."""
    scores = np.asarray(X @ clf.coef_.T) + clf.intercept_
    if scores.shape[1] == 1:  # binary: sigmoid → [p0, p1]
        p1 = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - p1, p1])
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


@dataclass
class TrainedModel:
    profile: str
    labels: list[str]
    pipeline: Pipeline
    version: str = ""
    metrics: dict = field(default_factory=dict)
    digest: str = ""
    format: str = FORMAT

    # ---- inference
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        prepared = [normalize_for_model(t) for t in texts]
        return self.pipeline.predict_proba(prepared)

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.suggest_batch([text], k=k)[0]

    def suggest_batch(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        return self.suggest_prepared([normalize_for_model(t) for t in texts], k=k)

    def suggest_prepared(
        self, model_texts: Sequence[str], k: int = 3
    ) -> list[list[tuple[str, float]]]:
        """Top-k for texts already passed through ``normalize_for_model``."""
        if not model_texts:
            return []
        features, clf = self.pipeline.named_steps["features"], self.pipeline.named_steps["clf"]
        proba = lr_proba(clf, union_transform(features, list(model_texts)))
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
                "digest": self.digest,
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
            digest=obj.get("digest", ""),
        )


EVAL_SHARE = 5  # one example in five is held out for evaluation, by a hash of its text


def is_eval(text: str) -> bool:
    """Deterministic held-out membership: the same text is always on the same side, so every
    model version is scored on examples none of them was trained on (fair comparison)."""
    digest = hashlib.blake2b(fold(text).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % EVAL_SHARE == 0


def split(pairs: Sequence[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    train_pairs: list[tuple[str, str]] = []
    eval_pairs: list[tuple[str, str]] = []
    for pair in pairs:
        (eval_pairs if is_eval(pair[0]) else train_pairs).append(pair)
    return train_pairs, eval_pairs


def evaluate(model: TrainedModel, pairs: Sequence[tuple[str, str]]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

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


def training_pairs(
    profile: str, extra: Iterable[tuple[str, str]] = ()
) -> tuple[list[str], list[tuple[str, str]], dict]:
    """(labels, seed + cleaned extra pairs, counts)."""
    _check_profile(profile)
    seed_pairs = load_seed(profile)
    labels = sorted({c for _, c in seed_pairs})
    extra_pairs = _clean_pairs(extra, set(labels))
    return (
        labels,
        seed_pairs + extra_pairs,
        {"n_seed": len(seed_pairs), "n_extra": len(extra_pairs)},
    )


def train(
    profile: str,
    extra: Iterable[tuple[str, str]] = (),
    *,
    seed: int = 0,
    version: str | None = None,
) -> TrainedModel:
    """Train the case-type model for a profile from the seed corpus plus ``extra`` labelled
    (text, code) pairs (codes unknown to the profile and empty texts are ignored).

    The deterministic evaluation share (``is_eval``) is never trained on; the model is scored on
    it (``metrics['eval']``), which makes versions comparable before one replaces another."""
    started = time.perf_counter()
    labels, pairs, counts = training_pairs(profile, extra)
    train_pairs, eval_pairs = split(pairs)
    model = _fit(profile, labels, train_pairs, seed)
    metrics: dict = {**counts, "n_train": len(train_pairs)}
    metrics["eval"] = evaluate(model, eval_pairs)
    metrics["train_seconds"] = round(time.perf_counter() - started, 3)
    model.metrics = metrics
    model.digest = corpus_digest(pairs)
    model.version = version or f"{profile}-seed-{model.digest}"
    return model


def _fit(profile: str, labels: list[str], pairs: Sequence[tuple[str, str]], seed: int):
    texts = [normalize_for_model(t) for t, _ in pairs]
    y = [c for _, c in pairs]
    pipeline = build_pipeline(seed)
    # one BLAS thread: lbfgs on this small problem is ~10x slower when threads fight for cores
    with threadpool_limits(1):
        pipeline.fit(texts, y)
    return TrainedModel(profile=profile, labels=labels, pipeline=pipeline)


# ---------------------------------------------------------------- module-level convenience

_DEFAULT: dict[str, TrainedModel] = {}


def default_model(profile: str) -> TrainedModel:
    """Seed-trained model for a profile (the shipped default): trained once per machine
    (core/fitted.py), loaded once per process."""
    _check_profile(profile)
    if profile not in _DEFAULT:
        _DEFAULT[profile] = fitted.fit_once(fit_default, *default_training(profile))
    return _DEFAULT[profile]


def default_training(profile: str) -> tuple[str, list[str], str]:
    """What the shipped default is trained from, as `fit_default`'s arguments: the profile,
    its prepared seed texts and the pipeline's parameters."""
    texts = [normalize_for_model(t) for t, _ in load_seed(profile)]
    params = repr(sorted(build_pipeline().get_params(deep=True).items(), key=str))
    return profile, texts, params


def fit_default(
    profile: str, texts: list[str], params: str, versions: tuple[str, ...]
) -> TrainedModel:
    """`train(profile)`, the shipped default. The prepared seed texts and the pipeline's
    parameters are arguments only to key the cache: a change to the seed, to its preparation
    or to a parameter of the pipeline trains a new model."""
    return train(profile)


def suggest(text: str, profile: str, k: int = 3) -> list[tuple[str, float]]:
    return default_model(profile).suggest(text, k=k)


def suggest_batch(texts: Sequence[str], profile: str, k: int = 3) -> list[list[tuple[str, float]]]:
    return default_model(profile).suggest_batch(texts, k=k)


def load_heldout(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["text"], r["case_type"]) for r in csv.DictReader(fh, delimiter="\t")]
