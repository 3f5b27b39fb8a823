"""Sentiment (negative/neutral/positive + score), complaint flag and urgency with reasons.

- Sentiment and complaint: logistic regression over TF-IDF of the normalized text plus lexicon
  pseudo-tokens (a Vietnamese opinion lexicon with negation handling: "không tốt" counts as
  negative, "không tệ" is not negative). Trained on the project's own seed data only
  (seed_<profile>.tsv labels + data/texts_sentiment.py), never on research data sets.
- Urgency: transparent rules (danger and vulnerability cues, long outages), each firing rule adds
  a human-readable reason; works with and without diacritics.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

import numpy as np
from threadpoolctl import threadpool_limits

from cskh.core import fitted
from cskh.textintel import classifier
from cskh.textintel.data.generate_seed import parse
from cskh.textintel.data.texts_sentiment import SENTIMENT
from cskh.textintel.normalize import Prepared, fold, prepare

if TYPE_CHECKING:  # scikit-learn is imported where a model is fitted (see classifier)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

SENTIMENT_VERSION = "sent-2"
LABELS = ("negative", "neutral", "positive")

# ---------------------------------------------------------------- lexicon

POSITIVE = """
tốt|rất tốt|tốt lắm|hài lòng|nhiệt tình|cảm ơn|tuyệt vời|tuyệt|xuất sắc|chu đáo|tận tình|
chuyên nghiệp|dễ thương|thân thiện|lịch sự|nhanh chóng|hiệu quả|ổn định|hay|thích|ưng|ưng ý|
đáng tiền|hợp lý|dễ hiểu|dễ dùng|tiện lợi|hữu ích|vui vẻ|kiên nhẫn|cẩn thận|đẹp|xịn|ngon|
yên tâm|đáng khen|khen|hoàn hảo|ok|oke|giỏi|tâm huyết|thú vị|bổ ích|sinh động|ổn|
tận tâm|chất lượng tốt|ủng hộ|thoải mái|hấp dẫn|rõ ràng|kỹ càng|chắc chắn|thank|tks
"""
NEGATIVE = """
tệ|kém|chán|dở|tồi|bực|bực mình|bức xúc|thất vọng|khó chịu|chậm|chậm chạp|lag|giật|hư|hỏng|
lỗi|vô lý|vô trách nhiệm|cẩu thả|qua loa|lừa|lừa đảo|lừa dối|phí tiền|mệt mỏi|mệt|khổ|
không chấp nhận|khiếu nại|phàn nàn|láo|hỗn|cộc cằn|cộc lốc|hống hách|thô lỗ|gắt|quát|sợ|
khó hiểu|nhàm chán|buồn ngủ|tệ hại|kinh khủng|tức|ức chế|đắt|tăng vọt|sai|thiếu|khó|
trễ|muộn|nóng|lo|hư hỏng|mất|không được|không ai|không thấy|chưa thấy|thiệt hại|buồn|
nhàm|rườm rà|phức tạp|vô dụng|cũ kỹ|hống hách|tốn|lãng phí|ồn|bẩn|dơ|xấu|tào lao|lừa gạt
"""
NEGATORS = ("không", "chẳng", "chả", "chưa", "không hề", "chẳng hề", "đâu có", "hết")
# Folded forms that collide with frequent unrelated words; only matched when typed with marks.
AMBIGUOUS_FOLDED = {
    "chan",
    "do",
    "toi",
    "hong",
    "loi",
    "cham",
    "lo",
    "nong",
    "hay",
    "sai",
    "so",
    "kho",
    "gat",
    "giat",
    "tuc",
    "dien",
    "mat",
    "thieu",
    "tre",
    "ton",
    "on",
    "hu",
    "dat",
    "lua",
    "xau",
    "ngon",
    "tot",
    "khen",
    "ung",
    "muon",
    "buon",
    "on dinh",
    "met",
    "ho",
    "khong duoc",
}


def _split(block: str) -> list[str]:
    return [w.strip() for w in block.replace("\n", "").split("|") if w.strip()]


_POS = _split(POSITIVE)
_NEG = _split(NEGATIVE)
# word n-gram → polarity, for text typed with marks and for text typed without them
_LEX_MARKED: dict[str, str] = {**{w: "neg" for w in _NEG}, **{w: "pos" for w in _POS}}
_LEX_FOLDED: dict[str, str] = {
    **{fold(w): "neg" for w in _NEG if fold(w) not in AMBIGUOUS_FOLDED},
    **{fold(w): "pos" for w in _POS if fold(w) not in AMBIGUOUS_FOLDED or w == "tốt"},
}
_NEGATORS_MARKED = frozenset(NEGATORS)
_NEGATORS_FOLDED = frozenset(fold(n) for n in NEGATORS)
_MAX_NGRAM = 3
_TOKEN = re.compile(r"\w+")


def lexicon_hits(text: str | Prepared) -> dict[str, int]:
    """{'pos': n, 'neg': n, 'neg_pos': n (negated positive), 'neg_neg': n (negated negative)}.
    Text typed with diacritics is matched with the marked lexicon, text without them with the
    folded lexicon minus words whose folded form is ambiguous. Longest phrase wins; a negator
    ("không", "chẳng", "chưa"…) one or two words before flips the polarity."""
    prep = text if isinstance(text, Prepared) else prepare(text)
    if prep.marked:
        lex, negators, view = _LEX_MARKED, _NEGATORS_MARKED, prep.view
    else:
        lex, negators, view = _LEX_FOLDED, _NEGATORS_FOLDED, prep.folded
    tokens = _TOKEN.findall(view)
    hits = {"pos": 0, "neg": 0, "neg_pos": 0, "neg_neg": 0}
    i, n = 0, len(tokens)
    while i < n:
        for size in range(min(_MAX_NGRAM, n - i), 0, -1):
            phrase = " ".join(tokens[i : i + size]) if size > 1 else tokens[i]
            polarity = lex.get(phrase)
            if polarity is None:
                continue
            negated = (i >= 1 and tokens[i - 1] in negators) or (
                i >= 2
                and (tokens[i - 2] in negators or f"{tokens[i - 2]} {tokens[i - 1]}" in negators)
            )
            # "không được", "không chấp nhận" are negative phrases in the lexicon themselves
            hits[("neg_" if negated else "") + polarity] += 1
            i += size - 1
            break
        i += 1
    return hits


def _augment(prep: Prepared) -> str:
    hits = lexicon_hits(prep)
    extra = (
        ["xxlexpos"] * min(hits["pos"], 3)
        + ["xxlexneg"] * min(hits["neg"] + hits["neg_pos"], 3)
        + ["xxlexnotneg"] * min(hits["neg_neg"], 2)
    )
    return prep.model + (" " + " ".join(extra) if extra else "")


# ---------------------------------------------------------------- model


@dataclass
class SentimentModel:
    features: FeatureUnion
    sentiment: LogisticRegression
    complaint: LogisticRegression
    version: str = SENTIMENT_VERSION
    train_seconds: float = 0.0

    def predict(self, texts: Sequence[str | Prepared]) -> list[dict]:
        if not texts:
            return []
        preps = [t if isinstance(t, Prepared) else prepare(t) for t in texts]
        X = classifier.union_transform(self.features, [_augment(p) for p in preps])
        proba = classifier.lr_proba(self.sentiment, X)
        classes = list(self.sentiment.classes_)
        comp = classifier.lr_proba(self.complaint, X)[:, list(self.complaint.classes_).index(1)]
        out = []
        for row, c in zip(proba, comp, strict=True):
            p = dict(zip(classes, row, strict=True))
            label = classes[int(np.argmax(row))]
            score = float(p.get("positive", 0.0) - p.get("negative", 0.0))
            out.append(
                {
                    "sentiment": str(label),
                    "sentiment_score": round(score, 4),
                    "complaint_prob": float(c),
                    "probs": {k: round(float(v), 4) for k, v in p.items()},
                }
            )
        return out


def training_rows() -> list[tuple[str, str, int]]:
    rows: list[tuple[str, str, int]] = []
    for profile in classifier.PROFILES:
        for r in classifier.load_seed_rows(profile):
            rows.append((r["text"], r["sentiment"], int(r["complaint"])))
    for entry in SENTIMENT:
        text, tags = parse(entry)
        label = "negative" if "n" in tags else "positive" if "p" in tags else "neutral"
        rows.extend([(text, label, int("c" in tags))] * 3)  # hand-written: weight 3
    return rows


def train_sentiment(rows: Sequence[tuple[str, str, int]] | None = None) -> SentimentModel:
    """Fit the model on `rows` (text, sentiment, complaint), or on the shipped rows."""
    return fit_sentiment(*training_set(rows))


def training_set(
    rows: Sequence[tuple[str, str, int]] | None,
) -> tuple[list[str], list[str], list[int]]:
    rows = list(rows or training_rows())
    return (
        [_augment(prepare(t)) for t, _, _ in rows],
        [s for _, s, _ in rows],
        [c for _, _, c in rows],
    )


def fit_sentiment(
    texts: list[str],
    sentiments: list[str],
    complaints: list[int],
    versions: tuple[str, ...] = (),
) -> SentimentModel:
    """The fit itself, on prepared texts. `versions`: the library versions, for the disk cache
    of get_model (core/fitted.py) to tell pickles of another scikit-learn apart."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    started = time.perf_counter()
    # word 1-2 grams of the folded text + lexicon pseudo-tokens: char n-grams add little here
    # and would halve the throughput of analyze_batch
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"(?u)\b\w+\b",
                    dtype=np.float32,
                ),
            ),
        ]
    )
    X = features.fit_transform(texts)
    sent = LogisticRegression(C=5.0, max_iter=2000, class_weight="balanced")
    comp = LogisticRegression(C=5.0, max_iter=2000, class_weight="balanced")
    with threadpool_limits(1):  # see classifier._fit
        sent.fit(X, sentiments)
        comp.fit(X, complaints)
    return SentimentModel(
        features=features,
        sentiment=sent,
        complaint=comp,
        train_seconds=round(time.perf_counter() - started, 3),
    )


_MODEL: SentimentModel | None = None
_LOCK = threading.Lock()


def get_model() -> SentimentModel:
    """The process's model, from the shipped rows: fitted by the first process on this machine,
    loaded from the disk cache by the others (core/fitted.py)."""
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                _MODEL = fitted.fit_once(fit_sentiment, *training_set(None))
    return _MODEL


# ---------------------------------------------------------------- complaint cues

_COMPLAINT_CUES = re.compile(
    r"\b(khieu nai|phan anh|thai do|lam an kieu gi|qua te|that vong|vo trach nhiem|"
    r"khong chap nhan|buc xuc|bat luc|cup may ngang|hach dich|doi tien|lan thu \w+ roi)\b"
)

# ---------------------------------------------------------------- urgency

# (reason shown to agents, regex on folded text). Folded text is used so that messages typed
# without diacritics match too; ambiguous folded words (chạy/cháy = "chay", nợ/nổ = "no",
# giặt/giật = "giat") are only matched inside unambiguous phrases.
_POWER_LOSS = r"(mat dien|cup dien|cat dien|khong co dien|ngat dien|dien mat|tat dien|mat dien)"
URGENCY_RULES: list[tuple[str, re.Pattern]] = [
    (
        "dây điện đứt/rơi",
        re.compile(
            r"\b(day (dien )?(trung the |ha the )?(bi )?(dut|roi|rot|lot thong|nam (duoi|tren) "
            r"(dat|duong))|dut day dien|day dien .{0,20}(dut|roi xuong|rot xuong|vong thap|ho vo|"
            r"bong vo|tuot vo|cham (vao )?(mai|nha|cay|lan can|hang rao))|vong thap sat)"
        ),
    ),
    (
        "điện giật/rò điện",
        re.compile(
            r"\b(dien giat|giat dien|ro dien|bi dien giat|te tay|giat te|giat lach tach|"
            r"bi giat (nhe|te|dien|chet)|(nguoi|be|chau|con|em|ong|ba|tho|cong nhan) .{0,15}"
            r"bi giat(?! (lag|hinh))|so bi giat)\b"
        ),
    ),
    (
        "cháy/khói",
        re.compile(
            r"\b(boc chay|phat chay|chay no|bi chay|dang chay (lon|du doi)|chay day|"
            r"chay (tram|cot|tru|tu dien|nha|duong day|am i)|dam chay|hoa hoan|"
            r"boc khoi|khoi (den|bay|boc)|mui khet|khet|(toe|xet|ban|tia) lua|lua (bung|ban|chay))\b"
        ),
    ),
    (
        "cháy nổ",
        re.compile(r"\b(phat no|no lon|no bup|no tung|tieng no|chay no|no (tram|tu dien|tru))\b"),
    ),
    ("chập điện", re.compile(r"\b(chap dien|chap chay|chap mach|chap no)\b")),
    (
        "cột điện nghiêng/gãy/đổ",
        re.compile(
            r"\b((cot|tru) (dien|den).{0,60} (bi )?(nghieng|do|gay|nga|nut|lac lu|sap do))|"
            r"(cay (do|nga|gay) .{0,20}day dien)"
        ),
    ),
    (
        "người mắc kẹt trong thang máy",
        re.compile(r"\b(ket (nguoi )?(trong )?thang may|thang may ket)"),
    ),
    (
        "ngập nước gần điện",
        re.compile(
            r"\b(ngap|nuoc (tran|vo|vao)).{0,40}(dien|cong to|day)|(day|tu) dien .{0,20}ngap"
        ),
    ),
]
VULNERABLE_RULES: list[tuple[str, re.Pattern]] = [
    (
        "người già",
        re.compile(r"\b(nguoi gia|ong ba|cu gia|me gia|bo gia|lon tuoi|cao tuoi|ba cu|ong cu)\b"),
    ),
    (
        "trẻ nhỏ/em bé",
        re.compile(
            r"\b(em be|tre so sinh|so sinh|moi sinh|con nho|tre nho|tre em|con nit|be nho)\b"
        ),
    ),
    (
        "bệnh nhân/thiết bị y tế",
        re.compile(
            r"\b(benh nhan|nguoi benh|tho may|may tho|oxy|chay than|liet giuong|cap cuu|"
            r"nguoi om|dang benh|ba bau|mang thai)\b"
        ),
    ),
]
_LONG_OUTAGE = re.compile(
    _POWER_LOSS
    + r".{0,40}(tu (hom|toi|dem|sang|trua) qua|hom qua|(\d+|hai|ba|bon|nam|may|nhieu|hon \d+) "
    r"(tieng|ngay|hom|buoi)|ca (ngay|dem|buoi)|lau (qua|roi|lam)|nguyen (ngay|dem)|"
    r"tu sang (toi|den) gio|tu \d+h? (sang|chieu|toi) (hom qua|qua))"
    r"|(\d+|hai|ba|may|nhieu) (tieng|ngay) (roi )?(ma )?(chua|khong) co dien"
    r"|khong co dien (tu hom qua|ca ngay|may ngay|\d+ ngay)"
)
_POWER_LOSS_RE = re.compile(_POWER_LOSS + r"|dong dien lai|co dien lai")
# Questions about a scheduled outage ("mai cắt điện cả ngày?") are not long outages in progress.
_SCHEDULED = re.compile(r"\b(lich|ngay mai|mai (cat|cup)|ke hoach|du kien|bao tri|theo lich)\b")


def urgency(text: str | Prepared) -> tuple[bool, list[str]]:
    """(urgent, reasons). Danger cues are urgent on their own; vulnerable people count when
    power is lost (or a danger cue is present); a long power outage is urgent."""
    folded = (text if isinstance(text, Prepared) else prepare(text)).folded
    reasons = [reason for reason, rx in URGENCY_RULES if rx.search(folded)]
    power_loss = bool(_POWER_LOSS_RE.search(folded))
    if _LONG_OUTAGE.search(folded) and not _SCHEDULED.search(folded):
        reasons.append("mất điện kéo dài")
    if power_loss or reasons:
        reasons.extend(reason for reason, rx in VULNERABLE_RULES if rx.search(folded))
    return bool(reasons), reasons


# ---------------------------------------------------------------- public API


class Signals(TypedDict):
    sentiment: str
    sentiment_score: float
    complaint: bool
    urgent: bool
    urgency_reasons: list[str]


EMPTY: Signals = {
    "sentiment": "neutral",
    "sentiment_score": 0.0,
    "complaint": False,
    "urgent": False,
    "urgency_reasons": [],
}


def _signals(preps: Sequence[Prepared]) -> list[Signals]:
    """Sentiment, complaint and urgency for prepared texts (no case-type model)."""
    out: list[Signals] = []
    for prep, sent in zip(preps, get_model().predict(preps), strict=True):
        urgent, reasons = urgency(prep)
        cue = bool(_COMPLAINT_CUES.search(prep.folded))
        complaint = sent["complaint_prob"] >= 0.5 or cue
        if sent["sentiment"] == "positive" and sent["complaint_prob"] < 0.7:
            complaint = cue and sent["sentiment_score"] < 0.5
        label = sent["sentiment"]
        if complaint and label == "neutral":
            label = "negative"
        out.append(
            {
                "sentiment": label,
                "sentiment_score": sent["sentiment_score"],
                "complaint": bool(complaint),
                "urgent": urgent,
                "urgency_reasons": reasons,
            }
        )
    return out


def analyze_sentiment(text: str) -> Signals:
    """{"sentiment", "sentiment_score", "complaint", "urgent", "urgency_reasons"}."""
    if not text or not text.strip():
        return {**EMPTY, "urgency_reasons": []}
    return _signals([prepare(text)])[0]


def analyze_batch(
    texts: Sequence[str], profile: str, model: classifier.TrainedModel | None = None, k: int = 3
) -> list[dict]:
    """One dict per text, exactly:
    {"case_types": [{"code","score"}...], "sentiment", "sentiment_score", "complaint",
     "urgent", "urgency_reasons", "model_version"}"""
    model = model or classifier.default_model(profile)
    if not texts:
        return []
    preps = [prepare(t) for t in texts]
    suggestions = model.suggest_prepared([p.model for p in preps], k=k)
    return [
        {
            "case_types": [{"code": c, "score": s} for c, s in sugg],
            **signals,
            "model_version": model.version,
        }
        for sugg, signals in zip(suggestions, _signals(preps), strict=True)
    ]


def case_types_and_urgency(
    texts: Sequence[str], profile: str, model: classifier.TrainedModel | None = None, k: int = 3
) -> list[dict]:
    """``analyze_batch`` without the sentiment/complaint model, for callers that judge
    sentiment with their own model (social listening): one dict per text,
    {"case_types": [{"code","score"}...], "urgent", "urgency_reasons"}."""
    model = model or classifier.default_model(profile)
    if not texts:
        return []
    preps = [prepare(t) for t in texts]
    suggestions = model.suggest_prepared([p.model for p in preps], k=k)
    out = []
    for sugg, prep in zip(suggestions, preps, strict=True):
        urgent, reasons = urgency(prep)
        out.append(
            {
                "case_types": [{"code": c, "score": s} for c, s in sugg],
                "urgent": urgent,
                "urgency_reasons": reasons,
            }
        )
    return out


def analyze(text: str, profile: str, model: classifier.TrainedModel | None = None) -> dict:
    return analyze_batch([text], profile, model=model)[0]
