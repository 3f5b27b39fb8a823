"""Synonyms and compounds per industry profile, applied at query time.

The data ships with the app (``data/synonyms/common.txt`` plus ``<profile>.txt``): one set of
equivalent phrases per line ("mất điện = cúp điện = cắt điện"), compared folded (no tones).
Sets that share a phrase are merged. A query is cut into *groups*: the longest phrase of a set
found in the query becomes one group whose alternatives are every phrase of the set; any other
word is a group of its own. A hyphenated word ("wi-fi", "e-mail") is a group with the parts
and the joined form ("wifi"), and the sets of ``common.txt`` join or split the common
compounds the other way round ("wifi" also finds "Wi-Fi").

Both search backends render the groups (AND of groups, OR of alternatives, AND of the words
of an alternative), the scorer and the highlighter read them, and the desk's case-type picker
matches a type by the synonyms of the phrases in its name and description (``type_terms``).
Applying them at query time keeps the index independent of the lists: editing a file needs no
reindex.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from cskh.core.text import fold

DATA = Path(__file__).resolve().parent / "data" / "synonyms"
WORD = re.compile(r"[a-z0-9]+")
HYPHENATED = re.compile(r"[a-z]+(?:-[a-z]+)+")
MAX_ALTERNATIVES = 8  # per group: bounds the size of the database query

Phrase = tuple[str, ...]
Group = tuple[Phrase, ...]  # alternatives; the first is the phrase as typed


@dataclass(frozen=True)
class Thesaurus:
    sets: dict[Phrase, tuple[Phrase, ...]]  # phrase → every phrase of its set (itself first)
    longest: int

    def groups(self, folded: str) -> list[Group]:
        """The folded query text cut into groups (see the module docstring)."""
        extra: dict[Phrase, tuple[Phrase, ...]] = {}
        for compound in HYPHENATED.findall(folded):
            parts = tuple(compound.split("-"))
            extra[parts] = (parts, ("".join(parts),))
        tokens = WORD.findall(folded)
        out: list[Group] = []
        i = 0
        longest = max(self.longest, *(len(p) for p in extra), 1)
        while i < len(tokens):
            for n in range(min(longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + n])
                if n == 1 or key in extra or key in self.sets:
                    merged = dict.fromkeys((key, *extra.get(key, ()), *self.sets.get(key, ())))
                    out.append(tuple(merged)[:MAX_ALTERNATIVES])
                    i += n
                    break
        return out

    def related(self, folded_text: str) -> list[Phrase]:
        """Every phrase of every set one of whose phrases occurs (as whole words) in the text."""
        padded = f" {' '.join(WORD.findall(folded_text))} "
        out: dict[Phrase, None] = {}
        for phrase, members in self.sets.items():
            if f" {' '.join(phrase)} " in padded:
                out.update(dict.fromkeys(members))
        return list(out)


def _read(path: Path) -> list[list[Phrase]]:
    sets: list[list[Phrase]] = []
    if not path.exists():
        return sets
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        members = [tuple(WORD.findall(fold(p))) for p in line.split("=")]
        members = [m for m in members if m]
        if len(members) > 1:
            sets.append(members)
    return sets


@functools.cache
def thesaurus(profile: str | None) -> Thesaurus:
    """The common sets plus the profile's (None or an unknown profile: the common ones)."""
    raw = _read(DATA / "common.txt")
    if profile and re.fullmatch(r"[a-z_]+", profile):
        raw += _read(DATA / f"{profile}.txt")
    # merge sets sharing a phrase (union-find over phrases)
    parent: dict[Phrase, Phrase] = {}

    def find(p: Phrase) -> Phrase:
        while parent.setdefault(p, p) != p:
            p = parent[p]
        return p

    for members in raw:
        for m in members[1:]:
            parent[find(m)] = find(members[0])
    merged: dict[Phrase, list[Phrase]] = {}
    for members in raw:
        for m in members:
            bucket = merged.setdefault(find(m), [])
            if m not in bucket:
                bucket.append(m)
    sets: dict[Phrase, tuple[Phrase, ...]] = {}
    for members in merged.values():
        for m in members:
            sets[m] = (m, *(x for x in members if x != m))
    return Thesaurus(sets=sets, longest=max((len(p) for p in sets), default=1))


def active_thesaurus() -> Thesaurus:
    """The thesaurus of the installation's active profile."""
    from cskh.catalog.services import active_profile
    from cskh.core.errors import DomainError

    try:
        code: str | None = active_profile().code
    except DomainError:
        code = None
    return thesaurus(code)


def type_terms(name: str, description: str) -> str:
    """Folded words under which the case-type picker also finds a type: the synonyms of every
    phrase of the active profile's sets found in the type's name or description."""
    phrases = active_thesaurus().related(fold(f"{name} {description}"))
    return " ".join(" ".join(p) for p in phrases)
