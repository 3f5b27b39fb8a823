"""Fail when a template shows Vietnamese text that is not marked for translation.

The English catalog can only be complete if every user-visible string goes through gettext:
text between tags, and text in attributes such as placeholder/title/aria-label. Text inside
{% translate %}, {% blocktranslate %}…{% endblocktranslate %}, comments, <script> and <style>
is skipped. Usage: python tools/check_i18n.py [paths…] (default: every template under src/).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Letters that only Vietnamese text has (lowercase; the check folds case).
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")
SKIP = [
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%.*?%}", re.S),  # translate tags and every other tag
    re.compile(r"{{.*?}}", re.S),
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
]


def unmarked(text: str) -> list[tuple[int, str]]:
    """(line, snippet) of each Vietnamese fragment outside translation tags."""
    masked = text
    for pattern in SKIP:
        masked = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), masked)
    found = []
    for number, line in enumerate(masked.splitlines(), 1):
        if VIETNAMESE.search(line.lower()):
            found.append((number, line.strip()[:80]))
    return found


def main(argv: list[str]) -> int:
    roots = [Path(p) for p in argv] or [Path("src")]
    files = [f for r in roots for f in ([r] if r.is_file() else sorted(r.rglob("*.html")))]
    problems = 0
    for path in files:
        for number, snippet in unmarked(path.read_text(encoding="utf-8")):
            print(f"{path}:{number}: not marked for translation: {snippet}")
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
