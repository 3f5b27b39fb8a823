"""Vietnamese text normalization: one module used by search, classifiers and intake.

- ``nfc`` / ``fold``: re-exported from ``cskh.core.text`` (every app needs them; they live in
  core so that no lower layer imports textintel).
- ``normalize_tone_placement``: old/new tone placement (hoá/hóa, thuý/thúy, oà/òa, uỷ/ủy)
  mapped to one canonical form: the tone on the first vowel of a final "oa", "oe", "uy"
  ("hóa", "thúy", "òa", "ủy"); never for "qu"+y ("quý" stays).
- ``expand_abbreviations``: only unambiguous chat abbreviations/teencode (see ``ABBREVIATIONS``).
- ``extract_phones``: Vietnamese phone numbers in free text, as E.164 strings.
- ``extract_customer_codes``: electricity customer codes and telecom contract codes.
- ``prepare`` / ``normalize_for_model``: one pass producing the lexicon view, the folded form and
  the model text (phones/codes/amounts → placeholder words) shared by every textintel model.
- ``segment_words``: word segmentation with underthesea's offline ``word_tokenize`` (its
  ``classify``/``sentiment``/``lang_detect`` download models and are never called).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import phonenumbers

from cskh.core.text import fold, nfc

__all__ = [
    "nfc",
    "fold",
    "normalize_tone_placement",
    "expand_abbreviations",
    "normalize_for_model",
    "prepare",
    "Prepared",
    "extract_phones",
    "extract_customer_codes",
    "tokenize",
    "segment_words",
]


# ---------------------------------------------------------------- tone placement

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# In NFD: o/u + a/e/y + tone mark at the end of a word (no final consonant), not after q.
_OLD_NEW = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\w])")


# Fast pre-check on NFC text: an "o" followed by a toned a/e, or a "u" followed by a toned y.
_OLD_STYLE_NFC = re.compile("[oO][áàảãạÁÀẢÃẠéèẻẽẹÉÈẺẼẸ]|[uU][ýỳỷỹỵÝỲỶỸỴ]")


def normalize_tone_placement(text: str) -> str:
    """'hoá đơn', 'thuý', 'hoà', 'uỷ ban' → 'hóa đơn', 'thúy', 'hòa', 'ủy ban' (NFC out)."""
    if not text:
        return ""
    text = nfc(text)
    if not _OLD_STYLE_NFC.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_NEW.sub(_move_tone, decomposed)
    return unicodedata.normalize("NFC", moved)


def _move_tone(m: re.Match) -> str:
    first, second, tone = m.group(1), m.group(2), m.group(3)
    if first in "uU" and second not in "yY":
        return m.group(0)  # "ua"/"ue" are not the ambiguous diphthongs
    if first in "oO" and second in "yY":
        return m.group(0)
    return first + tone + second


# ---------------------------------------------------------------- abbreviations

# Only abbreviations that are unambiguous in customer messages. Deliberately NOT expanded:
# "a" (anh / à / ạ), "hd" (hóa đơn / hợp đồng / hướng dẫn), "hong" (= hỏng, broken, without
# tones), "dk" (đăng ký / điều kiện), "bn" (bạn / bao nhiêu), "bh" (bao giờ / bây giờ), "dt".
ABBREVIATIONS: dict[str, str] = {
    "k": "không",
    "ko": "không",
    "kh": "không",  # "mã KH" / "KH" → khách hàng (see _expand_word)
    "mkh": "mã khách hàng",
    "khg": "không",
    "kg": "không",
    "hok": "không",
    "hk": "không",
    "hông": "không",
    "khum": "không",
    "khong": "không",
    "dc": "được",
    "đc": "được",
    "dduoc": "được",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "đt": "điện thoại",
    "j": "gì",
    "gj": "gì",
    "z": "vậy",
    "zậy": "vậy",
    "dzậy": "vậy",
    "r": "rồi",
    "roi": "rồi",
    "vs": "với",
    "ntn": "như thế nào",
    "nv": "nhân viên",
    "nvien": "nhân viên",
    "mn": "mọi người",
    "mng": "mọi người",
    "mik": "mình",
    "mk": "mình",
    "cj": "chị",
    "bít": "biết",
    "mún": "muốn",
    "mog": "mong",
    "lun": "luôn",
    "thui": "thôi",
    "cx": "cũng",
    "cg": "cũng",
    "ms": "mới",
    "trc": "trước",
    "ng": "người",
    "wa": "quá",
    "qá": "quá",
    "cty": "công ty",
    "tks": "cảm ơn",
    "thks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "cám": "cảm",
    "kq": "kết quả",
    "tp": "thành phố",
    "tphcm": "thành phố hồ chí minh",
    "hcm": "hồ chí minh",
    "sg": "sài gòn",
    "nhiu": "nhiêu",
    "bik": "biết",
    "hnay": "hôm nay",
    "hqua": "hôm qua",
    "ad": "admin",
    "h": "giờ",
}

_WORD_RE = re.compile(r"(?<![\w.,/-])\w+(?![\w/-])")
# "e" → "em" only as the subject at the start of a clause or right after a word that takes a
# person ("cho e", "nhà e", "giúp e"), and only when another word follows.
_E_BEFORE = frozenset("cho giúp giup nhà nha của cua với voi báo bao hỏi hoi".split())
_CLAUSE_END = frozenset(".,!?;:\n")
_NEXT_WORD = re.compile(r"\s+\w")
_PREV_WORD = re.compile(r"(\w+)\s+$")


def _expand_word(m: re.Match) -> str:
    word = m.group(0)
    low = word.lower()
    if low == "e":
        text = m.string
        if not _NEXT_WORD.match(text, m.end()):
            return word
        before = text[: m.start()].rstrip()
        if not before or before[-1] in _CLAUSE_END:
            return "Em" if word == "E" else "em"
        prev = _PREV_WORD.search(text, max(0, m.start() - 12), m.start())
        if prev and prev.group(1).lower() in _E_BEFORE:
            return "Em" if word == "E" else "em"
        return word
    if low == "kh":
        # "mã KH", "KH" in capitals: khách hàng; otherwise teencode for "không"
        prev = _PREV_WORD.search(m.string, max(0, m.start() - 12), m.start())
        if word == "KH" or (prev and prev.group(1).lower() in ("mã", "ma")):
            return "khách hàng"
    return ABBREVIATIONS.get(low, word)


def expand_abbreviations(text: str) -> str:
    """'e ko dc nhận hđ, sdt 0901...' → 'em không được nhận hđ, số điện thoại 0901...'."""
    if not text:
        return ""
    return _WORD_RE.sub(_expand_word, nfc(text))


# ---------------------------------------------------------------- model input

_PHONE_LIKE = re.compile(r"(?:\+?84|0)(?:[\s.\-]?\d){8,10}\b")
_CODE_LIKE = re.compile(r"\b[a-zA-Z]{2}\d{11}\b|\b[A-Za-z]{2,4}[-_][A-Za-z0-9]{2,6}[-_]\d{5,10}\b")
_MONEY = re.compile(r"\b\d{1,3}(?:[.,]\d{3})+\s*(?:đ|d|vnd|vnđ|dong|đồng)?\b|\b\d+\s*k\b", re.I)
_NUMBER = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w\s]+")


class Prepared(NamedTuple):
    """One normalization pass shared by the classifiers, the lexicon and the urgency rules."""

    view: str  # NFC, tone placement unified, abbreviations expanded, lower case, placeholders
    folded: str  # fold(view)
    model: str  # folded, numbers → "0", punctuation dropped: what the TF-IDF models see
    marked: bool  # the message was typed with Vietnamese diacritics


def prepare(text: str) -> Prepared:
    """Phone numbers / customer codes / amounts become placeholder words (sodt, makh, sotien),
    then tone placement, abbreviations, lower case, fold. Deterministic, ~30 µs per message."""
    if not text:
        return Prepared("", "", "", False)
    text = nfc(text)
    text = _CODE_LIKE.sub(" makh ", text)
    text = _PHONE_LIKE.sub(" sodt ", text)
    text = _MONEY.sub(" sotien ", text)
    view = " ".join(expand_abbreviations(normalize_tone_placement(text)).lower().split())
    folded = fold(view)
    model = " ".join(_NON_WORD.sub(" ", _NUMBER.sub(" 0 ", folded)).split())
    return Prepared(view, folded, model, not text.isascii())


def normalize_for_model(text: str) -> str:
    """Text the classifiers see (``prepare(text).model``): placeholders for phones / codes /
    amounts, abbreviations expanded, folded, numbers → 0, punctuation dropped."""
    return prepare(text).model


# ---------------------------------------------------------------- segmentation


def tokenize(text: str) -> list[str]:
    return normalize_for_model(text).split()


@lru_cache(maxsize=1)
def _word_tokenize():
    try:
        from underthesea import word_tokenize  # offline CRF model shipped in the wheel
    except Exception:  # pragma: no cover - optional dependency
        return None
    return word_tokenize


def segment_words(text: str) -> list[str]:
    """Vietnamese word segmentation ('mất điện' → one token 'mất_điện') using underthesea's
    offline word_tokenize. Falls back to whitespace tokens when underthesea is unavailable.
    Not used by the shipped classifier (char n-grams already capture compounds and segmentation
    costs ~1 ms per message); available for search/analytics."""
    fn = _word_tokenize()
    text = nfc(text)
    if fn is None:
        return text.split()
    return [t.replace(" ", "_") for t in fn(text)]


# ---------------------------------------------------------------- entities

_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(\+?\(?\d[\d\s.\-()]{7,16}\d)(?!\w)")
_SEP = re.compile(r"[\s.\-()]")


def _phone_e164(raw: str) -> str | None:
    digits = _SEP.sub("", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("84") and len(digits) >= 11:
        digits = "+" + digits
    try:
        parsed = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def extract_phones(text: str) -> list[str]:
    """Phone numbers in free text as E.164, in order, without duplicates.
    '0901234567', '+84 90 123 4567', '84.901.234.567', '(028) 3822 1234' are recognized;
    customer codes, amounts (1.250.000đ) and meter numbers are not valid numbers and ignored."""
    if not text:
        return []
    found: list[str] = []
    for m in _PHONE_CANDIDATE.finditer(nfc(text)):
        raw = m.group(1)
        e164 = _phone_e164(raw)
        if e164 is None:
            # "gọi 0901234567 hoặc 0912345678" glued by spaces: try each whitespace chunk group
            for part in re.split(r"\s{2,}|\s*/\s*", raw):
                e164 = _phone_e164(part)
                if e164 and e164 not in found:
                    found.append(e164)
            continue
        if e164 not in found:
            found.append(e164)
    return found


# Electricity (EVN) customer code: 2 letters (power company / region, e.g. PE = EVNHCMC) +
# 11 digits, e.g. PE01000123456. Telecom contract code: area (2-4 letters) - service (2-6
# letters/digits, e.g. FTTH, IPTV) - number (5-10 digits), e.g. HCM-FTTH-00012345;
# "_" and spaces around "-" are accepted, output is upper case with "-".
_EVN_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})[\s.]?(\d{11})(?!\d)")
_TELCO_CODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2,4})\s?[-_]\s?([A-Za-z][A-Za-z0-9]{1,5})\s?[-_]\s?(\d{5,10})(?!\d)"
)


def extract_customer_codes(text: str) -> list[str]:
    """'mã KH pe01000123456, hđ HCM-FTTH-00012345' → ['PE01000123456', 'HCM-FTTH-00012345']."""
    if not text:
        return []
    text = nfc(text)
    found: list[str] = []
    for m in _EVN_CODE.finditer(text):
        code = (m.group(1) + m.group(2)).upper()
        if code not in found:
            found.append(code)
    for m in _TELCO_CODE.finditer(text):
        code = "-".join(g.upper() for g in m.groups())
        if code not in found:
            found.append(code)
    return found
