"""Free-text Vietnamese addresses -> the current (2025) ward.

An address arrives in the old three-level form ("12 Lũy Bán Bích, P. Sơn Kỳ, Q. Tân Phú,
TP.HCM") or the new two-level form ("Phường Tân Sơn Nhì, TP. Hồ Chí Minh"), abbreviated or
without diacritics. The ward name alone is ambiguous (there is a Sơn Kỳ in Quảng Ngãi, and
a "Phường 13" in dozens of old districts), so the province, the old district and the ward are
read together:

1. ``normalize``: fold (no diacritics, lower case), expand abbreviations (P., Q., H., TX, TT,
   TP, TP.HCM, HN), split into comma-separated segments.
2. ``mentions``: in each segment, a type word ("phường", "quận", "tỉnh", "thành phố", …)
   followed by the longest known name of that level; untyped segments are matched against
   every level (house numbers and street segments are skipped).
3. ``AddressIndex.resolve``: every reading of a ward mention as a current ward (new form) or
   as an old ward (old form, mapped through the official conversion table) is scored by what
   else in the address agrees with it (its old district, its province, the type word). The
   best reading wins; an old ward split between several current wards, several readings
   tied (a numbered ward without its district), or a ward missing from the data under a
   known district give a *choice* (``AddressResolution.candidates``) instead of a guess.

Pure Python over an index built once per process from the ``Ward``/``LegacyWard`` tables
(``geo.selectors.address_index``): a resolution takes well under a millisecond.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext_lazy as _

from cskh.core.errors import DomainError
from cskh.core.text import fold, nfc

Level = Literal["ward", "district", "city", "province", "any"]
Status = Literal["resolved", "choice", "unresolved"]

# Type words, longest first; "city" (thành phố) is a district-level city or a province.
_TYPE_WORDS: tuple[tuple[tuple[str, ...], Level, str], ...] = (
    (("thanh", "pho"), "city", "thanh pho"),
    (("thi", "tran"), "ward", "thi tran"),
    (("thi", "xa"), "district", "thi xa"),
    (("dac", "khu"), "ward", "dac khu"),
    (("phuong",), "ward", "phuong"),
    (("xa",), "ward", "xa"),
    (("quan",), "district", "quan"),
    (("huyen",), "district", "huyen"),
    (("tinh",), "province", "tinh"),
)
_WARD_KINDS = ("phuong", "xa", "thi tran", "dac khu")
_DISTRICT_KINDS = ("quan", "huyen", "thi xa", "thanh pho")
_PROVINCE_KINDS = ("tinh", "thanh pho")
_KIND_PREFIX = re.compile(r"^(thanh pho|thi tran|thi xa|dac khu|phuong|xa|quan|huyen|tinh)\s+")

# Abbreviations, applied in order on the folded text.
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\b(phuong|quan|p|q)(?=\d)", r"\1 "),
        (r"\bp\s+(?=\d)", "phuong "),
        (r"\bq\s+(?=\d)", "quan "),
        (r"\bt\.?\s?p\.?\s*(?:ho chi minh|hcm)\b", " thanh pho ho chi minh "),
        (r"\btp\.?\s*hn\b", " thanh pho ha noi "),
        (r"\bhcm\b", " ho chi minh "),
        (r"\bt\.p\.?\s*", " thanh pho "),
        (r"\btp\b\.?\s*", " thanh pho "),
        (r"\btx\b\.?\s*", " thi xa "),
        (r"\btt\b\.?\s*", " thi tran "),
        (r"\bdk\b\.?\s*", " dac khu "),
        # One letter: with its dot anywhere, without only first in a part ("P Rao" is a name).
        (r"\bp\.\s*|(?:^|(?<=[,;(]))\s*p\s+", " phuong "),
        (r"\bq\.\s*|(?:^|(?<=[,;(]))\s*q\s+", " quan "),
        (r"\bh\.\s*|(?:^|(?<=[,;(]))\s*h\s+", " huyen "),
        (r"\bx\.\s*|(?:^|(?<=[,;(]))\s*x\s+", " xa "),
        (r"\bt\b\.\s*", " tinh "),
    )
)
_PROVINCE_ALIASES = {
    "hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sg": "ho chi minh",
    "hn": "ha noi",
    "brvt": "ba ria vung tau",
    "tth": "hue",
    "thua thien hue": "hue",
}
# Other names of provinces, read as a province only where no ward of that name fits.
_PROVINCE_NAMES = {"sai gon": "ho chi minh"}
# Segments that are below the ward (house, street, hamlet): never read as a ward by accident.
_STREET = re.compile(
    r"^(\d|so\b|duong\b|hem\b|ngo\b|ngach\b|kiet\b|to\b|ap\b|thon\b|khu pho\b|kp\b|khom\b|"
    r"xom\b|can ho\b|chung cu\b|km\b|quoc lo\b|ql\b|tinh lo\b|dt\b)"
)
_LEADING_ZERO = re.compile(r"\b0+(\d)")
_MAX_NAME_WORDS = 6
MAX_CHOICES = 20  # more candidates than this is no choice to put to an agent


def simplify(folded: str) -> str:
    """The comparison form of a folded name: hyphens and dots as spaces, no apostrophes,
    numbers without leading zeros ("phuong 03" = "phuong 3")."""
    folded = folded.replace("-", " ").replace("'", "").replace("’", "").replace(".", " ")
    folded = _LEADING_ZERO.sub(r"\1", folded)
    return " ".join(folded.split())


@functools.lru_cache(maxsize=32768)  # names repeat ("Phường 1", "Xã Tân Phú")
def split_kind(name: str) -> tuple[str, str]:
    """'Phường Sơn Kỳ' -> ('phuong', 'son ky'); a name without a type word -> ('', name)."""
    folded = simplify(fold(name))
    m = _KIND_PREFIX.match(folded)
    if not m:
        return "", folded
    return m.group(1), folded[m.end() :]


@functools.lru_cache(maxsize=32768)
def exact_core(name: str) -> str:
    """'Xã Đồng Thành' -> 'đồng thành': the name as written, to tell apart names that fold
    alike when the address has its diacritics."""
    words = nfc(name).lower().split()
    kind = split_kind(name)[0]
    return " ".join(words[len(kind.split()) :]) if kind else " ".join(words)


def normalize(text: str) -> list[list[str]]:
    """Folded, abbreviations expanded, split into segments (commas, semicolons, colons, new lines,
    parentheses); each segment a list of pieces written with " - " between them, which may
    separate parts ("Phường 3 - Quận 5") or belong to a name ("Bà Rịa - Vũng Tàu")."""
    folded = fold(text)
    folded = folded.replace("’", "'")
    for pattern, repl in _ABBREVIATIONS:
        folded = pattern.sub(repl, folded)
    out = []
    for seg in re.split(r"[,;:\n()|/]+", folded):
        pieces = [simplify(p) for p in re.split(r"\s[-–]\s", seg)]
        pieces = [_PROVINCE_ALIASES.get(p, p) for p in pieces if p]
        if pieces:
            out.append(pieces)
    return out


@dataclass(frozen=True)
class Mention:
    """A place name read in the address, with the type word written before it (if any)."""

    level: Level
    kind: str  # the type word as written ("phuong", "quan", "thanh pho", "" if none)
    name: str  # comparison form, without the type word
    known: bool  # the name exists at that level in the data
    position: int  # order in the address (0 = first)


@dataclass(frozen=True)
class NewWard:
    code: int
    name: str
    kind: str
    core: str
    province_code: int
    exact: str = ""  # exact_core(name)


@dataclass(frozen=True)
class OldWard:
    code: int
    name: str
    kind: str
    core: str
    district_code: int
    province_code: int
    ward_codes: tuple[int, ...]
    exact: str = ""  # exact_core(name)


@dataclass(frozen=True)
class District:
    code: int
    name: str
    kind: str
    core: str
    province_code: int


@dataclass(frozen=True)
class ProvinceNames:
    """What a province name written in an address means: the current provinces it is part of
    and the old provinces it stands for."""

    new_codes: frozenset[int]
    old_codes: frozenset[int]


@dataclass(frozen=True)
class WardCandidate:
    """A current ward the address may mean, with the old units it was read from (old form)."""

    ward_code: int
    ward_name: str
    province_name: str
    old_ward: str = ""
    old_district: str = ""
    old_province: str = ""

    @property
    def label(self) -> str:
        text = f"{self.ward_name}, {self.province_name}"
        if self.old_ward:
            text += f" ({self.old_ward}, {self.old_district}, {self.old_province})"
        elif self.old_district:
            text += f" ({self.old_district}, {self.old_province})"
        return text


@dataclass(frozen=True)
class AddressResolution:
    """``resolved``: one current ward (``ward_code``); ``choice``: several, the agent picks
    (``reason``: ``split`` old ward split between current wards, ``several`` readings tie,
    ``ward_unknown`` the ward is not in the data but its old district is); ``unresolved``:
    no ward could be read (``reason`` ``vague``: a name found in too many places to ask)."""

    status: Status
    candidates: tuple[WardCandidate, ...] = ()
    reason: str = ""
    mentions: tuple[Mention, ...] = field(default=(), repr=False, compare=False)

    @property
    def ward_code(self) -> int | None:
        return self.candidates[0].ward_code if self.status == "resolved" else None

    @property
    def candidate_codes(self) -> tuple[int, ...]:
        return tuple(c.ward_code for c in self.candidates)


class WardChoiceNeeded(DomainError):
    """The address fits several current wards: the caller must pick one (``ward_code``)
    instead of the system guessing. HTTP 409 with the candidates."""

    def __init__(self, resolution: AddressResolution) -> None:
        message: str
        if resolution.reason == "split":
            old = resolution.candidates[0]
            message = _("%(old)s (%(district)s) nay thuộc nhiều phường/xã: hãy chọn một.") % {
                "old": old.old_ward,
                "district": old.old_district,
            }
        elif resolution.reason == "ward_unknown":
            message = _(
                "Không tìm thấy phường/xã cũ trong %(district)s: hãy chọn phường/xã hiện nay."
            ) % {"district": resolution.candidates[0].old_district}
        else:
            message = str(_("Địa chỉ khớp nhiều phường/xã (thiếu quận/huyện cũ?): hãy chọn một."))
        super().__init__(message, status=409, code="ward_choice")
        self.resolution = resolution


@dataclass
class _Reading:
    score: int
    codes: tuple[int, ...]
    old: OldWard | None = None
    district: District | None = None
    typed: bool = False  # read from a ward written with its type word


class AddressIndex:
    """Name tables of current and old wards, old districts and provinces. Built once per
    process from the database; read-only afterwards (shared between threads)."""

    def __init__(
        self,
        *,
        new_wards: Iterable[NewWard],
        old_wards: Iterable[OldWard],
        districts: Iterable[District],
        provinces: dict[int, str],
        old_provinces: dict[int, str],
    ) -> None:
        self.new_wards: dict[int, NewWard] = {}
        self.new_by_core: dict[str, list[NewWard]] = {}
        for w in new_wards:
            self.new_wards[w.code] = w
            self.new_by_core.setdefault(w.core, []).append(w)
        self.old_by_core: dict[str, list[OldWard]] = {}
        old_to_new_province: dict[int, set[int]] = {}
        for o in old_wards:
            codes = tuple(c for c in o.ward_codes if c in self.new_wards)
            if not codes:
                continue
            o = OldWard(
                o.code, o.name, o.kind, o.core, o.district_code, o.province_code, codes, o.exact
            )
            self.old_by_core.setdefault(o.core, []).append(o)
            old_to_new_province.setdefault(o.province_code, set()).update(
                self.new_wards[c].province_code for c in codes
            )
        self.districts: dict[int, District] = {}
        self.district_by_core: dict[str, list[District]] = {}
        for d in districts:
            self.districts[d.code] = d
            self.district_by_core.setdefault(d.core, []).append(d)
        self.district_wards: dict[int, set[int]] = {}
        for olds in self.old_by_core.values():
            for o in olds:
                self.district_wards.setdefault(o.district_code, set()).update(o.ward_codes)
        self.province_names = provinces
        self.old_province_names = old_provinces
        by_name: dict[str, tuple[set[int], set[int]]] = {}
        new_to_old: dict[int, set[int]] = {}
        for old_code, news in old_to_new_province.items():
            for n in news:
                new_to_old.setdefault(n, set()).add(old_code)
        self.new_to_old: dict[int, frozenset[int]] = {
            n: frozenset(olds) for n, olds in new_to_old.items()
        }
        for code, name in provinces.items():
            entry = by_name.setdefault(split_kind(name)[1], (set(), set()))
            entry[0].add(code)
            entry[1].update(new_to_old.get(code, ()))
        for code, name in old_provinces.items():
            entry = by_name.setdefault(split_kind(name)[1], (set(), set()))
            entry[0].update(old_to_new_province.get(code, ()))
            entry[1].add(code)
        for alias, core in _PROVINCE_NAMES.items():
            if core in by_name:
                by_name.setdefault(alias, by_name[core])
        self.provinces: dict[str, ProvinceNames] = {
            core: ProvinceNames(frozenset(n), frozenset(o)) for core, (n, o) in by_name.items()
        }
        self.names: dict[Level, frozenset[str]] = {
            "ward": frozenset(self.new_by_core) | frozenset(self.old_by_core),
            "district": frozenset(self.district_by_core),
            "province": frozenset(self.provinces),
        }
        self.names["city"] = self.names["district"] | self.names["province"]
        self.names["any"] = self.names["ward"] | self.names["city"]

    # -- reading ---------------------------------------------------------------------------

    def _longest(self, words: Sequence[str], start: int, level: Level) -> int:
        """Length of the longest known name of level starting at words[start] (0: none)."""
        names = self.names[level]
        for n in range(min(_MAX_NAME_WORDS, len(words) - start), 0, -1):
            end = start + n
            if end < len(words) and end - 1 > start:
                split = _type_word(words, end - 1)
                if split is not None and split[0] > 1:
                    continue  # "Tân Hòa Thành phố …": the name stops before "thành phố"
            if " ".join(words[start:end]) in names:
                return n
        return 0

    def _segments(self, text: str) -> list[str]:
        """Segments of text, a " - " kept inside a segment only where a known name spans it."""
        out = []
        for pieces in normalize(text):
            current = pieces[0]
            for piece in pieces[1:]:
                left, right = current.split(), piece.split()
                # Names with a dash have two words at least on each side ("Cam Ly - Đà
                # Lạt"); the right side ends the piece or meets a type word.
                spans = any(
                    " ".join(left[-a:] + right[:b]) in self.names["any"]
                    for a in range(2, min(len(left), _MAX_NAME_WORDS - 2) + 1)
                    for b in range(2, min(len(right), _MAX_NAME_WORDS - a) + 1)
                    if b == len(right) or _type_word(right, b) is not None
                )
                if spans:
                    current = f"{current} {piece}"
                else:
                    out.append(current)
                    current = piece
            out.append(current)
        return out

    def mentions(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        for segment in self._segments(text):
            words = segment.split()
            # House number, street, hamlet: no untyped names until the first type word.
            street = bool(_STREET.match(segment))
            i = 0
            while i < len(words):
                typed = _type_word(words, i)
                if typed is not None:
                    size, level, kind = typed
                    start = i + size
                    n = self._longest(words, start, level)
                    whole = self._longest(words, i, "any")
                    if whole > size and whole >= size + n:
                        # "Xa Dung" may be the whole name written without its "Xã"
                        whole_name = " ".join(words[i : i + whole])
                        out.append(Mention("any", "", whole_name, True, len(out)))
                        if not n:
                            i += whole
                            street = False
                            continue
                    if n:
                        name, known = " ".join(words[start : start + n]), True
                        i = start + n
                    else:  # unknown name: up to the next type word
                        end = start
                        while end < len(words) and (end == start or _type_word(words, end) is None):
                            end += 1
                        name, known = " ".join(words[start:end]), False
                        i = max(end, start + 1)
                    if name:
                        out.append(Mention(level, kind, name, known, len(out)))
                    street = False
                    continue
                if street and i == 0 and segment in self.names["any"]:
                    street = False  # "Dương Nội" is a ward, not "đường Nội"
                if not street:
                    n = 0 if words[i].isdigit() else self._longest(words, i, "any")
                    if n and (i + n == len(words) or _type_word(words, i + n) is not None):
                        name = " ".join(words[i : i + n])
                        out.append(Mention("any", "", name, True, len(out)))
                        i += n
                        continue
                i += 1
        return out

    # -- deciding --------------------------------------------------------------------------

    def _province_filter(
        self, mentions: Sequence[Mention]
    ) -> tuple[ProvinceNames | None, Mention | None]:
        """The province the address names (the last province-like mention), if any."""
        for m in reversed(mentions):
            if m.level in ("province", "city", "any") and m.name in self.provinces:
                if m.level == "any" and m.name in self.names["ward"] and m.position == 0:
                    continue  # "Bến Thành, …": a ward first, not a province
                return self.provinces[m.name], m
        return None, None

    def _district_score(self, d: District, mentions: Sequence[Mention], ward: Mention) -> int:
        best = 0
        for m in mentions:
            if m.name != d.core:
                continue
            typed = m.kind == d.kind or (m.kind == "thanh pho" and d.kind == "thanh pho")
            score = 6 if typed else (4 if m.kind == "" else 2)
            if m.position > ward.position:
                score += 1
            best = max(best, score)
        return best

    def resolve(self, text: str, *, province_code: int | None = None) -> AddressResolution:
        """The current ward(s) text means; ``province_code`` (current) narrows the search
        when the caller knows it (the customer's service area)."""
        mentions = self.mentions(text)
        province, province_mention = self._province_filter(mentions)
        # Written with diacritics, "Đồng Thành" is not "Đông Thành" (bonus for the exact name).
        lowered = "" if text.isascii() else nfc(text).lower()
        if province_code is not None:
            province = ProvinceNames(
                frozenset({province_code}), frozenset(self.new_to_old.get(province_code, ()))
            )
        district_mentions = [
            m
            for m in mentions
            if m.level in ("district", "city", "any") and m.name in self.district_by_core
        ]
        readings: list[_Reading] = []
        for m in mentions:
            if m.level not in ("ward", "any") or not m.known:
                continue
            others = [d for d in district_mentions if d is not m]
            # A typed district ("Quận Tân Phú", "Q.5") is strong evidence; an untyped name
            # ("Tân Phú") may be a ward or a district, so it only adds to a reading.
            strong = any(
                d.level == "district" or (d.level == "city" and d.name not in self.provinces)
                for d in others
            )
            # "Cà Mau" names the province; that it is also an old district's name says
            # nothing about the district ("TP. Cà Mau" written as such does).
            districts_written = [d for d in others if d is not province_mention or d.level != "any"]
            base = 10 + (2 if m.level == "ward" else 0) + (5 if province else 0)
            for nw in self.new_by_core.get(m.name, ()):
                if province and nw.province_code not in province.new_codes:
                    continue
                score = base - (3 if m.kind and m.kind != nw.kind else 0)
                score += (
                    1 if lowered and not nw.exact.isascii() and nw.exact in lowered else 0
                )  # "Đồng Thành" is not "Đông Thành"
                if districts_written:
                    agree = any(
                        nw.code in self.district_wards.get(d.code, ())
                        for dm in districts_written
                        for d in self.district_by_core[dm.name]
                    )
                    if strong and not agree:
                        continue
                    score += 3 if agree else 0
                else:
                    score += 1  # no district written: the new form reads first
                readings.append(_Reading(score, (nw.code,), typed=m.level == "ward"))
            for ow in self.old_by_core.get(m.name, ()):
                if province and ow.province_code not in province.old_codes:
                    continue
                district = self.districts.get(ow.district_code)
                dscore = self._district_score(district, districts_written, m) if district else 0
                if strong and not dscore:
                    continue  # the address names another district
                score = base + dscore - (3 if m.kind and m.kind != ow.kind else 0)
                score += 1 if lowered and not ow.exact.isascii() and ow.exact in lowered else 0
                readings.append(
                    _Reading(score, ow.ward_codes, ow, district, typed=m.level == "ward")
                )
        if not readings:
            written = [
                d for d in district_mentions if d is not province_mention or d.level != "any"
            ]
            return self._from_district(mentions, province, written)
        best = max(r.score for r in readings)
        top = [r for r in readings if r.score == best]
        codes: dict[int, _Reading] = {}
        for r in top:
            for c in r.codes:
                codes.setdefault(c, r)
        candidates = tuple(self._candidate(c, r.old, r.district) for c, r in codes.items())
        if len(codes) == 1:
            return AddressResolution("resolved", candidates, "", tuple(mentions))
        reason = "split" if len({r.codes for r in top}) == 1 else "several"
        if reason == "several" and (
            len(codes) > MAX_CHOICES
            or (province is None and not district_mentions and not any(r.typed for r in top))
        ):
            # "Lê Lợi" alone (a street as often as a ward), "Phường 1" with no province:
            # too little to offer a short list from.
            return AddressResolution("unresolved", (), "vague", tuple(mentions))
        return AddressResolution("choice", candidates, reason, tuple(mentions))

    def _from_district(
        self,
        mentions: Sequence[Mention],
        province: ProvinceNames | None,
        district_mentions: Sequence[Mention],
    ) -> AddressResolution:
        """No ward could be read: if an old district is named (and the address has a ward we
        do not know, e.g. one merged before 2025), offer the current wards of that district."""
        if not any(m.level == "ward" for m in mentions):
            return AddressResolution("unresolved", (), "", tuple(mentions))
        districts: list[District] = []
        for dm in district_mentions:
            for d in self.district_by_core[dm.name]:
                if dm.kind and dm.kind != d.kind:
                    continue
                if province and d.province_code not in province.old_codes:
                    continue
                districts.append(d)
        if len({d.code for d in districts}) != 1:
            return AddressResolution("unresolved", (), "", tuple(mentions))
        d = districts[0]
        codes = sorted(self.district_wards.get(d.code, ()))
        candidates = tuple(self._candidate(c, None, d) for c in codes)
        if not candidates:
            return AddressResolution("unresolved", (), "", tuple(mentions))
        return AddressResolution("choice", candidates, "ward_unknown", tuple(mentions))

    def _candidate(
        self, code: int, old: OldWard | None, district: District | None
    ) -> WardCandidate:
        nw = self.new_wards[code]
        old_province = ""
        if district is not None:
            old_province = self.old_province_names.get(district.province_code, "")
        return WardCandidate(
            ward_code=code,
            ward_name=nw.name,
            province_name=self.province_names.get(nw.province_code, ""),
            old_ward=old.name if old else "",
            old_district=district.name if district else "",
            old_province=old_province,
        )


def _type_word(words: Sequence[str], i: int) -> tuple[int, Level, str] | None:
    for pattern, level, kind in _TYPE_WORDS:
        if tuple(words[i : i + len(pattern)]) == pattern:
            return len(pattern), level, kind
    return None
