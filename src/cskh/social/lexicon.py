"""Social-media Vietnamese: the tables that turn a Facebook comment into text a model can read.

Everything here works on the *folded* form (lower case, no diacritics, đ→d, see
``cskh.core.text.fold``) so a post typed with or without diacritics reads the same:

- teencode and chat abbreviations ("ko", "hok", "dc", "j", "mn", "bh") → the words they stand for;
- emoji and emoticons → polarity tokens (``emopos``/``emoneg``) or the sarcasm token
  (``sarcasmx``: 🙂 🙃 =)) :v, which on complaints mean the opposite of a smile);
- sarcasm phrases ("cảm ơn … đã", "hay thật", "tuyệt vời ông mặt trời", "đỉnh thật") → ``sarcasmx``;
- brand nicknames (EVN, "nhà đèn", "ông điện", Viettel, "nhà mạng", "con mạng") → ``brandx``;
- phone numbers, money, other numbers → ``phonex``, ``moneyx``, ``numx``.
"""

from __future__ import annotations

import re

from cskh.core.text import fold, nfc

__all__ = ["normalize", "TEENCODE", "BRANDS", "EMOJI"]

# folded word → folded expansion
TEENCODE: dict[str, str] = {
    "k": "khong",
    "ko": "khong",
    "kh": "khong",
    "kg": "khong",
    "hok": "khong",
    "hong": "khong",
    "khum": "khong",
    "hem": "khong",
    "kô": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "duoc": "duoc",
    "j": "gi",
    "ji": "gi",
    "r": "roi",
    "rui": "roi",
    "oy": "roi",
    "ruj": "roi",
    "mn": "moi nguoi",
    "mng": "moi nguoi",
    "mk": "minh",
    "mik": "minh",
    "mjk": "minh",
    "bh": "bao gio",
    "bjo": "bao gio",
    "bi": "bay gio",
    "h": "gio",
    "ntn": "nhu the nao",
    "cx": "cung",
    "cg": "cung",
    "vs": "voi",
    "ng": "nguoi",
    "nc": "nuoc",
    "wa": "qua",
    "qa": "qua",
    "bik": "biet",
    "bit": "biet",
    "v": "vay",
    "z": "vay",
    "zay": "vay",
    "vay": "vay",
    "thik": "thich",
    "iu": "yeu",
    "hum": "hom",
    "trc": "truoc",
    "ns": "noi",
    "nt": "nhan tin",
    "ib": "nhan tin",
    "inbox": "nhan tin",
    "sdt": "so dien thoai",
    "tks": "cam on",
    "thanks": "cam on",
    "thank": "cam on",
    "thx": "cam on",
    "ok": "on",
    "oke": "on",
    "okela": "on",
    "mún": "muon",
    "mun": "muon",
    "ik": "di",
    "nhe": "nhe",
    "ak": "a",
    "ah": "a",
    "ui": "oi",
    "uh": "u",
    "lun": "luon",
    "chx": "chua",
    "clgt": "cai gi",
    "vl": "vcl",
    "vkl": "vcl",
    "vcl": "vcl",
    "vc": "vcl",
    "dm": "dm",
    "dcm": "dm",
    "cmn": "dm",
    "wifi": "wifi",
    "nhg": "nhung",
    "dt": "dien thoai",
    "ad": "admin",
    "add": "admin",
}

# folded phrases naming the company (either profile) or its staff/service, longest first
BRANDS = sorted(
    [
        "evn",
        "evnhcmc",
        "evnhanoi",
        "evnspc",
        "evnnpc",
        "evncpc",
        "dien luc",
        "den luc",
        "nha den",
        "ong dien",
        "ben dien",
        "nganh dien",
        "cong ty dien",
        "viettel",
        "vietel",
        "vnpt",
        "vinaphone",
        "vina",
        "mobifone",
        "mobi",
        "fpt",
        "nha mang",
        "con mang",
        "mang nha",
        "ong mang",
    ],
    key=len,
    reverse=True,
)

EMOJI: dict[str, str] = {}
for _ch in "😀😁😂🤣😃😄😆😊😍🥰😘👍👏❤💕💯🎉🙏😇🤗🌹✨":
    EMOJI[_ch] = " emopos "
for _ch in "😡😠🤬😤😞😔😢😭😩😫😒👎💢😣😖🥵🥶🔥⚡💀😱😨😰":
    EMOJI[_ch] = " emoneg "
for _ch in "🙂🙃😏🤡😑🤔😶🙄":
    EMOJI[_ch] = " sarcasmx "

_EMOTICONS = [
    (re.compile(r"(=\){2,}|:\){3,}|:v\b|:\s?v\b|=\]\]|\^\^\"|:\)\)\)+)", re.I), " sarcasmx "),
    (re.compile(r"(:\(+|:'\(|=\(+|T_T|:\s?\(|-_-|>\.<|:\|)", re.I), " emoneg "),
    (re.compile(r"(:\)|:d\b|<3|\^\^|\^_\^|=\))", re.I), " emopos "),
]

_SARCASM = re.compile(
    r"\b(cam on (\w+ ){1,4}da (cho|de|bat|giup)|hay that|hay qua ta|gioi that|gioi qua ta|"
    r"tuyet voi ong mat troi|dinh that|dinh cua chop|dinh qua|qua dinh|10 diem|muoi diem|"
    r"xuat sac that|that la tuyet|chuc mung (\w+ ){0,3}(lai|tiep)|tu hao qua|nhat nuoc|"
    r"dang dong tien bat gao|thanh tich|ky luc moi|ngoi thien|song ao)\b"
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_AT = re.compile(r"@\w+")
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_MONEY = re.compile(
    r"\b\d+(?:[.,]\d+)*\s*(?:k|ng|nghin|ngan|tr|trieu|cu|vnd|d|dong|lit|xi)\b|\b\d{1,3}(?:[.,]\d{3})+\b"
)
_NUM = re.compile(r"\d+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_NONWORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_BRAND_RE = re.compile(r"\b(" + "|".join(re.escape(b) for b in BRANDS) + r")\b")
_EXCLAIM = re.compile(r"[!?]{2,}")


def normalize(text: str) -> str:
    """One folded line of words plus marker tokens, the model's input (see module docstring)."""
    s = nfc(text or "")[:5000]
    s = _URL.sub(" urlx ", s)
    s = _AT.sub(" userx ", s)
    s = "".join(EMOJI.get(ch, ch) for ch in s)
    for pattern, token in _EMOTICONS:
        s = pattern.sub(token, s)
    shout = " shoutx" if sum(c.isupper() for c in s) > 12 and s.upper() == s else ""
    exclaim = " exclaimx" if _EXCLAIM.search(s) else ""
    s = fold(s)
    s = _PHONE.sub(" phonex ", s)
    s = _MONEY.sub(" moneyx ", s)
    s = _NUM.sub(" numx ", s)
    elong = " elongx" if _REPEAT.search(s) else ""
    s = _REPEAT.sub(r"\1", s)
    s = _NONWORD.sub(" ", s)
    words = [TEENCODE.get(w, w) for w in s.split()]
    s = " ".join(words)
    s = _BRAND_RE.sub(" brandx ", s)
    s = _SARCASM.sub(lambda m: m.group(0) + " sarcasmx", s)
    return _SPACES.sub(" ", s + shout + exclaim + elong).strip()
