"""Highlights in the original spelling: <mark> around the words of the original (HTML-escaped)
text whose folded form matches a query term ('nguyen van an' marks 'Nguyễn Văn An')."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cskh.core.text import fold

WORD = re.compile(r"\w+")


@dataclass
class Terms:
    words: list[str]  # folded query tokens (a-z0-9)
    prefix: set[str] = field(default_factory=set)  # tokens that also match as a word prefix
    digits: str = ""  # digit string matched anywhere inside a word (partial phone numbers)

    def match(self, word: str) -> tuple[int, int] | None:
        """(start, end) of the part of ``word`` to mark, or None."""
        fw = fold(word)
        if len(fw) != len(word):  # folding changed the length (rare): mark the whole word
            return (0, len(word)) if self._hit(fw) else None
        for digits in self._digit_forms():
            if digits in fw:
                i = fw.index(digits)
                return (i, i + len(digits))
        return (0, len(word)) if self._hit(fw) else None

    def _digit_forms(self) -> tuple[str, ...]:
        """The digits as typed, and '84…' also as the national '0…' shown in snippets."""
        if not self.digits:
            return ()
        if self.digits.startswith("84") and len(self.digits) > 4:
            return (self.digits, "0" + self.digits[2:])
        return (self.digits,)

    def _hit(self, fw: str) -> bool:
        for t in self.words:
            if fw == t or (t in self.prefix and fw.startswith(t)):
                return True
        return False


def highlight(text: str, terms: Terms) -> SafeString:
    out: list[str] = []
    pos = 0
    for m in WORD.finditer(text):
        span = terms.match(m.group(0))
        if span is None:
            continue
        a, b = m.start() + span[0], m.start() + span[1]
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def first_match(text: str, terms: Terms) -> int:
    for m in WORD.finditer(text):
        if terms.match(m.group(0)) is not None:
            return m.start()
    return -1


def snippet(text: str, terms: Terms, width: int = 180) -> SafeString:
    """A window of ``text`` around the first match (whole words, '…' where cut), highlighted."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return highlight(text, terms)
    at = max(first_match(text, terms), 0)
    start = max(0, at - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > at else end
    body = highlight(text[start:end], terms)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))
