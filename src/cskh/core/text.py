"""Vietnamese text at rest and in matching: every app stores text NFC and matches it folded.

- ``nfc``: Unicode NFC (Vietnamese typed on different keyboards arrives in NFC or NFD).
- ``fold``: the matching form: NFC, lower case, tones and diacritics removed, đ→d,
  whitespace collapsed; digits and ASCII punctuation kept. Fast (NFD + ASCII encode) because
  search indexing calls it on millions of rows.

Language understanding beyond this (tone placement, abbreviations, phones and codes in free
text, word segmentation) lives in ``cskh.textintel.normalize``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["nfc", "fold"]


def nfc(text: str) -> str:
    text = text or ""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


_COMBINING = re.compile("[\u0300-\u036f]+")


def fold(text: str) -> str:
    """'  Mất  ĐIỆN ' → 'mat dien'.

    Fast path (all characters below U+1F00, i.e. Latin incl. every Vietnamese letter): NFD then
    ASCII-encode, which drops the tone/diacritic marks (and non-ASCII symbols such as '°').
    Other scripts and emoji are kept (slower regex path)."""
    if not text:
        return ""
    if not text.isascii():
        decomposed = unicodedata.normalize(
            "NFD", text.replace("đ", "d").replace("Đ", "d").replace("\u00a0", " ")
        )
        if max(text) < "\u1f00":
            text = decomposed.encode("ascii", "ignore").decode("ascii")
        else:
            text = unicodedata.normalize("NFC", _COMBINING.sub("", decomposed))
    return " ".join(text.lower().split())
