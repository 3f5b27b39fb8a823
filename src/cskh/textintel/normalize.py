"""Temporary minimal normalization (the textintel owner replaces this module)."""

import unicodedata

_TABLE = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_TABLE))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
