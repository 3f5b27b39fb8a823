"""Attitude check of what an agent writes to a customer (Vietnamese).

Two layers, both cheap enough for every keystroke pause (bench: ``bench/bench_qa.py``):

1. **Rules** with a code, a Vietnamese message and the character span they matched: rude
   words, blaming, dismissive phrasing ("không biết", "tự … đi"), "mày/tao", all-caps shouting,
   teencode, no respectful address. Each rule has an accented pattern (matched on the lower-case
   NFC text) and, where Vietnamese typed without diacritics collides with ordinary words
   ("tạo"/"tao", "máy"/"mày", "đội ngũ"/"ngu"), a plain pattern matched on the folded text that
   only counts when the matched characters were typed without diacritics.
2. **A small model** (character n-grams of the folded text, logistic regression) trained on
   the project's own corpus (``cskh.qa.corpus``) at first use in each process. It catches a
   cold tone the rules do not name ("Ừ, thế nhé."); its probability is the score.

The suggestion is a rewrite by the same tables: teencode expanded, rude pronouns and words
replaced or dropped, shouting lowered, a respectful opening and closing added.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from cskh.core.text import fold, nfc

__all__ = ["Issue", "Result", "check_reply", "PROFILES", "model_probability", "THRESHOLD"]

PROFILES = ("electricity", "telecom")
THRESHOLD = 0.5  # model probability of "impolite" above which the tone is flagged
# ... when the reply already addresses the customer with courtesy words ("dạ", "ạ", "thưa",
# "kính", "xin lỗi", "cảm ơn", "vui lòng", "mong"): only a confident model overrides them.
THRESHOLD_POLITE = 0.85
POLITE_MARKERS = re.compile(r"\b(dạ|ạ|thưa|kính|xin lỗi|xin phép|cảm ơn|vui lòng|mong|vâng|chúc)\b")
POLITE_MARKERS_PLAIN = re.compile(
    r"\b(da|a|thua|kinh|xin loi|xin phep|cam on|vui long|mong|vang|chuc)\b"
)
MAX_CHARS = 5000


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    start: int
    end: int


@dataclass
class Result:
    ok: bool
    score: float
    issues: list[Issue] = field(default_factory=list)
    suggestion: str | None = None


MESSAGES: dict[str, Any] = {
    "rude": _("Từ ngữ thô lỗ, xúc phạm khách hàng."),
    "pronoun": _("Xưng hô thiếu tôn trọng (mày/tao)."),
    "blaming": _("Đổ lỗi cho khách hàng."),
    "dismissive": _("Câu trả lời gạt đi, thiếu hỗ trợ (“không biết”, “tự … đi”)."),
    "shouting": _("Viết hoa toàn bộ hoặc nhiều dấu chấm than: giống như quát khách."),
    "teencode": _("Viết tắt kiểu chat (teencode) không phù hợp khi trả lời khách."),
    "no_address": _("Thiếu xưng hô tôn trọng (anh/chị/quý khách)."),
    "tone": _("Giọng điệu cộc lốc, thiếu lịch sự."),
}
# How much each code lowers the score (score = 1 - the worst of these and the model's).
SEVERITY = {
    "rude": 0.95,
    "pronoun": 0.95,
    "blaming": 0.85,
    "dismissive": 0.8,
    "shouting": 0.75,
    "teencode": 0.6,
    "no_address": 0.6,
    "tone": 0.0,
}

# (code, accented regex on lower-case NFC text, plain regex on folded text or None)
RULES: list[tuple[str, str, str | None]] = [
    ("pronoun", r"\b(mày|tao|bọn mày|chúng mày|mi)\b", None),
    (
        "pronoun",
        "",
        r"\b(bo may|tao (noi|da|bao|khong|ban|biet|cup|chiu)|may (tu|di|hieu|nghe|biet|hoi|lam))\b",
    ),
    (
        "rude",
        r"\b(ngu|điên|khùng|hâm|dở hơi|vô duyên|im đi|câm|cút|đồ (ngốc|điên)|rảnh quá|"
        r"rảnh (thế|vậy)|lắm chuyện|lắm thế|phiền thế|phiền quá|vớ vẩn|đm|vl|vcl|cúp máy)\b",
        r"(?<!doi )\b(ngu|dien a|khung|dien the|do hoi|vo duyen|im di|cut|ranh qua|"
        r"ranh (the|vay)|lam chuyen|lam the|phien the|phien qua|vo van|dm|vl|vcl|cup may)\b",
    ),
    (
        "blaming",
        r"\b(tại (anh|chị|bạn|ông|bà|quý khách)|lỗi (của|do) (anh|chị|bạn|ông|bà|quý khách)|"
        r"ai bảo|tự chịu|ráng chịu|rán chịu|đã nói rồi|nói (mãi|hoài|bao nhiêu lần)|"
        r"không chịu|còn hỏi|hỏi (mãi|hoài|lắm)|gọi (hoài|mãi|lắm)|chứ (hệ thống|bên tôi)"
        r" (không|đâu))",
        r"\b(tai (anh|chi|ban|ong|ba|quy khach)|loi (cua|do) (anh|chi|ban|ong|ba|quy khach)|"
        r"ai bao|tu chiu|rang chiu|ran chiu|da noi roi|noi (mai|hoai|bao nhieu lan)|"
        r"khong chiu|con hoi|hoi (mai|hoai|lam)|goi (hoai|mai|lam)|chu (he thong|ben toi)"
        r" (khong|dau))",
    ),
    (
        "dismissive",
        r"(\b(không|ko|k|hok|hông) (biết|bít|bik)\b|\bbiết (sao|làm sao) được\b|"
        r"\bhỏi (chỗ|người|bên) khác\b|\bkhông phải (việc|chuyện) của tôi\b|"
        r"\bđâu phải (việc|chuyện|lỗi) của tôi\b|\bchịu\b(?! khó)|\bkệ\b|\bmặc kệ\b|"
        r"\bthế thôi\b|\bthế nhé\b|\bchờ đi\b|\bđợi đi\b|\bkhông thì thôi\b|"
        r"\btự\b(\s+\w+){1,5}?\s+đi\b(?!\s*(lại|ạ))|\bđi mà\b)",
        r"(\b(khong|ko|k|hok|hong) (biet|bit|bik)\b|\bbiet (sao|lam sao) duoc\b|"
        r"\bhoi (cho|nguoi|ben) khac\b|\bkhong phai (viec|chuyen) cua toi\b|"
        r"\bdau phai (viec|chuyen|loi) cua toi\b|\bchiu\b(?! kho)|\bke\b|\bmac ke\b|"
        r"\bthe thoi\b|\bthe nhe\b|\bcho di\b|\bdoi di\b|\bkhong thi thoi\b|"
        r"\btu\b(\s+\w+){1,5}?\s+di\s*([.,!?]|$)|\bdi ma\b)",
    ),
]

TEENCODE = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hok": "không",
    "hem": "không",
    "khum": "không",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "j": "gì",
    "z": "vậy",
    "bik": "biết",
    "bít": "biết",
    "ns": "nói",
    "ntn": "như thế nào",
    "r": "rồi",
    "rùi": "rồi",
    "uk": "vâng",
    "uh": "vâng",
    "ừ": "vâng",
    "mik": "mình",
    "mk": "mình",
    "vs": "với",
    "cx": "cũng",
    "trc": "trước",
    "lun": "luôn",
    "hoài": "nhiều lần",
    "nha": "ạ",
}
_TEEN_SKIP = {"hoài", "nha", "ừ"}  # expanded in the suggestion but not flagged by themselves
ADDRESS = re.compile(r"\b(anh|chị|quý khách|ông|bà|cô|chú|bác|em|a/c|ac|qk|quý vị)\b")
ADDRESS_PLAIN = re.compile(r"\b(anh|chi|quy khach|ong|ba|co|chu|bac|a/c|qk|quy vi)\b")
ADDRESS_TELECOM_EXTRA = re.compile(r"\b(bạn|ban)\b")
ACRONYMS = {"EVN", "CSKH", "VNPT", "SMS", "OTP", "ID", "SIM", "GB", "MB", "4G", "5G", "FPT"}
_WORD = re.compile(r"\w+", re.UNICODE)
_COMPILED = [
    (code, re.compile(acc) if acc else None, re.compile(plain) if plain else None)
    for code, acc, plain in RULES
]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace():
        return " "
    f = fold(ch)
    return f[:1] if f else "?"


def _folded(text: str) -> str:
    """Folded text with exactly one character per input character (spans stay valid)."""
    return "".join(_fold_char(ch) for ch in text)


def _rule_issues(text: str, profile: str) -> list[Issue]:
    lower = text.lower()
    folded = _folded(text)
    accented = not text.isascii()
    issues: list[Issue] = []
    taken: list[tuple[str, int, int]] = []

    def add(code: str, start: int, end: int) -> None:
        if any(c == code and s < end and start < e for c, s, e in taken):
            return  # one issue per stretch of text and code (accented and plain may both hit)
        taken.append((code, start, end))
        issues.append(Issue(code, str(MESSAGES[code]), start, end))

    for code, acc, plain in _COMPILED:
        if acc is not None:
            for m in acc.finditer(lower):
                # "tao"/"ngu" typed without any diacritics are the plain patterns' business
                if accented or not text[m.start() : m.end()].isascii():
                    add(code, m.start(), m.end())
        if plain is not None:
            for m in plain.finditer(folded):
                if text[m.start() : m.end()].isascii():
                    add(code, m.start(), m.end())
    # shouting: three upper-case words in a row, or "!!"/"??"
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    run: list[tuple[int, int, str]] = []
    for word in [*words, (0, 0, "")]:
        if len(word[2]) >= 2 and word[2].isupper() and word[2] not in ACRONYMS:
            run.append(word)
            continue
        if len(run) >= 3:
            add("shouting", run[0][0], run[-1][1])
        run = []
    for m in re.finditer(r"[!?]{2,}", text):
        add("shouting", m.start(), m.end())
    for start, end, w in words:
        lw = w.lower()
        if lw in TEENCODE and lw not in _TEEN_SKIP:
            add("teencode", start, end)
    if len(words) >= 4 and not (
        ADDRESS.search(lower)
        or any(text[m.start() : m.end()].isascii() for m in ADDRESS_PLAIN.finditer(folded))
        or (profile == "telecom" and ADDRESS_TELECOM_EXTRA.search(lower))
    ):
        issues.append(Issue("no_address", str(MESSAGES["no_address"]), 0, len(text)))
    issues.sort(key=lambda i: (i.start, i.end))
    return issues


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class LinearModel:
    """The fitted model flattened into dictionaries: scoring one short reply in pure Python
    (n-grams from the vectorizer's own public ``build_analyzer``, tf-idf, L2 norm, dot
    product, sigmoid) takes a fraction of a millisecond, where ``predict_proba`` spends ~1 ms
    in input validation and sparse-matrix set-up. ``tests/qa`` checks both agree."""

    analyzer: Any
    weights: dict[str, tuple[float, float]]  # n-gram -> (idf, coefficient)
    intercept: float
    pipeline: Any  # the sklearn pipeline itself, kept for that check

    def probability(self, text: str) -> float:
        counts: dict[str, int] = {}
        for gram in self.analyzer(text):
            if gram in self.weights:
                counts[gram] = counts.get(gram, 0) + 1
        norm2 = dot = 0.0
        for gram, n in counts.items():
            idf, coef = self.weights[gram]
            x = (1.0 + math.log(n)) * idf
            norm2 += x * x
            dot += x * coef
        z = self.intercept + (dot / math.sqrt(norm2) if norm2 else 0.0)
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def trained_model() -> LinearModel:
    """Trained once per process on the project corpus (well under a second once sklearn is
    imported)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from cskh.qa import corpus

    data = corpus.train()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    classifier = LogisticRegression(C=4.0, max_iter=1000)
    pipe = make_pipeline(vectorizer, classifier)
    pipe.fit([_model_text(r.text) for r in data], [r.impolite for r in data])
    coef = classifier.coef_[0]
    weights = {
        gram: (float(vectorizer.idf_[i]), float(coef[i]))
        for gram, i in vectorizer.vocabulary_.items()
    }
    return LinearModel(
        analyzer=vectorizer.build_analyzer(),
        weights=weights,
        intercept=float(classifier.intercept_[0]),
        pipeline=pipe,
    )


def _model_text(text: str) -> str:
    return fold(text)


def model_probability(text: str) -> float:
    """Probability that the reply is impolite, by the model alone."""
    return trained_model().probability(_model_text(text))


# --------------------------------------------------------------------------- suggestion

_REPLACE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in [
        (r"\b(bọn mày|chúng mày|mày|bo may)\b", "anh/chị"),
        (r"\btao\b(?= (noi|da|bao|khong|ban|biet|nói|đã|bảo|không|bận|biết))", "em"),
        (r"\btao\b", "em"),
        (r"\b(tôi|toi)\b", "em"),
        (r"\b(không|ko|k) (biết|bít|bik)\b", "em xin phép kiểm tra lại"),
        (r"\bhỏi (chỗ|người|bên) khác( đi)?\b", "em sẽ chuyển bộ phận phụ trách hỗ trợ"),
        (r"\btự\b((\s+\w+){1,5}?)\s+đi\b", r"vui lòng\1 giúp em"),
        (r"\b(đi mà)\b", "vui lòng"),
        (r"\b(chờ|đợi) đi\b", "vui lòng chờ thêm ít phút"),
        (r"\b(ráng|rán|tự) chịu( đi)?\b", "mong anh/chị thông cảm"),
        (r"\b(đã nói rồi( mà)?|nói (mãi|hoài|bao nhiêu lần)( rồi)?)\b", "như em đã thông tin"),
        (r"\b(thế thôi|thế nhé|không thì thôi|chịu)\b", ""),
        (r"\b(ngu thế|ngu|điên à|điên|khùng|hâm|im đi|câm|cút|vớ vẩn|rảnh quá nhỉ)\b", ""),
    ]
]


def _suggest(text: str, issues: list[Issue], profile: str) -> str:
    s = text
    if any(i.code == "shouting" for i in issues):
        s = re.sub(r"[!?]{2,}", ".", s)
        s = " ".join(w if w in ACRONYMS else w.lower() for w in s.split(" "))
        s = s[:1].upper() + s[1:]
    s = _WORD.sub(lambda m: TEENCODE.get(m.group().lower(), m.group()), s)
    for pat, rep in _REPLACE:
        s = pat.sub(rep, s)
    s = re.sub(r"\s+([,.!?])", r"\1", re.sub(r"\s{2,}", " ", s)).strip(" ,.")
    s = re.sub(r"^[,.\s]+", "", s)
    lower = s.lower()
    address = "quý khách" if profile == "electricity" else "anh/chị"
    if not lower.startswith(("dạ", "da ", "kính", "thưa", "em chào", "cảm ơn")):
        s = f"Dạ {address}, " + (s[:1].lower() + s[1:] if s else s)
    if not s.rstrip(".").endswith(" ạ"):
        s = s.rstrip(".!") + " ạ."
    return nfc(s)


# --------------------------------------------------------------------------- entry point


def check_reply(text: str, profile: str = "electricity") -> Result:
    """Check one reply. ``ok`` is false when any rule or the model flags it."""
    text = nfc(text or "")[:MAX_CHARS]
    if not text.strip():
        return Result(ok=True, score=1.0)
    issues = _rule_issues(text, profile if profile in PROFILES else "electricity")
    p = model_probability(text)
    if text.isascii():
        polite = bool(POLITE_MARKERS_PLAIN.search(text.lower()))
    else:
        polite = bool(POLITE_MARKERS.search(text.lower()))
    # rescaled so that the threshold in use sits at 0.5: score > 0.5 when the model is content
    p = min(1.0, p * THRESHOLD / (THRESHOLD_POLITE if polite else THRESHOLD))
    if not issues and p >= THRESHOLD:
        issues.append(Issue("tone", str(MESSAGES["tone"]), 0, len(text)))
    worst = max([SEVERITY[i.code] for i in issues] + [p])
    score = round(max(0.0, 1.0 - worst), 3)
    suggestion = _suggest(text, issues, profile) if issues else None
    return Result(ok=not issues, score=score, issues=issues, suggestion=suggestion)
