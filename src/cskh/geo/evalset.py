"""A reproducible evaluation set for the address resolver (``bench/bench_address.py``,
``tests/geo/test_address_eval.py``).

Addresses are generated from the ward tables (loaded from `vietnam-provinces`) with a fixed
seed, across HCMC, Hà Nội, Đà Nẵng and rural provinces, as people write them: the old form
(ward, district, old province) and the new form (ward, province), with full diacritics,
without diacritics, or abbreviated (P., Q., H., TX., TT., X., TP, TP.HCM), with house numbers
and street names that are themselves ward names ("12 Lê Lợi"), hamlets ("Thôn 3"), and a
share of numbered wards ("Phường 13"). The expected answer comes from the official
conversion table: one current ward, or, for an old ward split between several, exactly those
(the agent picks).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cskh.core.text import fold
from cskh.geo.address import AddressResolution, split_kind
from cskh.geo.models import LegacyWard, Province, Ward

SEED = 20250701
# HCMC, Hà Nội, Đà Nẵng (cities), Cần Thơ; rural: Điện Biên, Lai Châu, Gia Lai, Nghệ An, Cà Mau.
PROVINCES = (79, 1, 48, 92, 11, 12, 52, 40, 96)
STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Lý Thường Kiệt",
    "Hai Bà Trưng",
    "Quang Trung",
    "Lê Duẩn",
    "Nguyễn Huệ",
    "Hùng Vương",
    "Phan Chu Trinh",
    "Lũy Bán Bích",
    "Cách Mạng Tháng Tám",
    "Điện Biên Phủ",
    "Võ Văn Kiệt",
)
_ABBR_WARD = {"phuong": "P.", "xa": "X.", "thi tran": "TT.", "dac khu": "Đặc khu"}
_ABBR_DISTRICT = {"quan": "Q.", "huyen": "H.", "thi xa": "TX.", "thanh pho": "TP."}


@dataclass(frozen=True)
class Sample:
    text: str
    form: str  # "old" | "new"
    style: str  # "full" | "plain" (no diacritics) | "abbr"
    expected: tuple[int, ...]  # one code, or the split ward's current wards
    numbered: bool

    @property
    def expects_choice(self) -> bool:
        return len(self.expected) > 1

    def is_right(self, resolution: AddressResolution) -> bool:
        if self.expects_choice:
            return resolution.status == "choice" and set(resolution.candidate_codes) == set(
                self.expected
            )
        return resolution.ward_code == self.expected[0]


def _style(name: str, kind: str, style: str, abbr: dict[str, str]) -> str:
    if style == "plain":
        return fold(name).title().replace("Đ", "D")
    if style == "abbr" and kind in abbr:
        return f"{abbr[kind]} {name.split(' ', len(kind.split()))[-1]}"
    return name


def _province_text(name: str, style: str, rnd: random.Random) -> str:
    core = name.split(" ", 2)[-1] if name.startswith("Thành phố") else name.split(" ", 1)[-1]
    if "Hồ Chí Minh" in name:
        return rnd.choice(
            {
                "full": [name, "TP. Hồ Chí Minh"],
                "plain": ["TP Ho Chi Minh", "Ho Chi Minh"],
                "abbr": ["TP.HCM", "TPHCM", "HCM"],
            }[style]
        )
    if style == "plain":
        return fold(core).title()
    if style == "abbr":
        return ("TP. " if name.startswith("Thành phố") else "") + core
    return rnd.choice([name, core])


def _street(rnd: random.Random, rural: bool) -> str:
    if rural and rnd.random() < 0.6:
        return rnd.choice(["Thôn", "Ấp", "Bản", "Tổ"]) + f" {rnd.randint(1, 12)}"
    return (
        f"{rnd.randint(1, 400)} {rnd.choice(STREETS)}"
        if rnd.random() < 0.7
        else (f"Số {rnd.randint(1, 99)} ngõ {rnd.randint(1, 200)} {rnd.choice(STREETS)}")
    )


def _bare(name: str) -> str:
    """'Phường Sơn Kỳ' -> 'Sơn Kỳ' (the type word left out, as people often write)."""
    kind = split_kind(name)[0]
    return name.split(" ", len(kind.split()))[-1] if kind else name


def _join(parts: list[str], variant: str) -> str:
    if variant == "nocomma":
        return " ".join(parts)
    if variant == "dash":
        return " - ".join(parts)
    text = ", ".join(parts)
    return text.lower() if variant == "lower" else text


def generate(size: int = 400, *, seed: int = SEED) -> list[Sample]:
    rnd = random.Random(seed)
    provinces = dict(Province.objects.filter(code__in=PROVINCES).values_list("code", "name"))
    new_wards = list(
        Ward.objects.filter(province_id__in=PROVINCES)
        .order_by("code")
        .values_list("code", "name", "province_id", "is_rural")
    )
    # New-form names must be unique within their province to have one right answer.
    seen: dict[tuple[int, str], int] = {}
    for _code, name, pcode, _rural in new_wards:
        key = (pcode, split_kind(name)[1])
        seen[key] = seen.get(key, 0) + 1
    new_wards = [w for w in new_wards if seen[(w[2], split_kind(w[1])[1])] == 1]
    new_province = {code: pcode for code, _n, pcode, _r in new_wards}
    olds = [
        o
        for o in LegacyWard.objects.filter(derived=False).order_by("code")
        if all(c in new_province for c in o.ward_codes)
    ]
    twins: dict[tuple[int, tuple[str, str]], list[LegacyWard]] = {}
    for o in olds:
        twins.setdefault((o.district_code, split_kind(o.name)), []).append(o)
    twins_any: dict[tuple[int, str], list[LegacyWard]] = {}
    for o in olds:
        twins_any.setdefault((o.district_code, split_kind(o.name)[1]), []).append(o)
    mixed_twins: dict[tuple[int, tuple[str, str], tuple[str, str]], list[LegacyWard]] = {}
    for o in olds:
        mkey = (new_province[int(o.ward_codes[0])], split_kind(o.district_name), split_kind(o.name))
        mixed_twins.setdefault(mkey, []).append(o)
    # Districts whose name is unique in the country may be written without their province.
    district_names: dict[str, set[int]] = {}
    for dcode, dname in LegacyWard.objects.values_list("district_code", "district_name"):
        district_names.setdefault(split_kind(dname)[1], set()).add(dcode)
    numbered = [o for o in olds if split_kind(o.name)[1].isdigit()]
    samples: list[Sample] = []
    styles = ("full", "plain", "abbr")
    variants = ("", "", "", "", "nocomma", "dash", "lower", "notype", "noprovince")
    while len(samples) < size:
        style = rnd.choice(styles)
        variant = rnd.choice(variants)
        pick = rnd.random()
        if pick < 0.4:  # new form
            code, name, pcode, rural = rnd.choice(new_wards)
            kind = split_kind(name)[0]
            if variant == "noprovince":
                variant = ""
            ward = _bare(name) if variant == "notype" else _style(name, kind, style, _ABBR_WARD)
            if variant == "notype" and style == "plain":
                ward = fold(ward).title().replace("Đ", "D")
            parts = [_street(rnd, rural), ward, _province_text(provinces[pcode], style, rnd)]
            if variant in ("nocomma", "dash") and style == "plain":
                variant = ""  # "Xa Tan Tien Ca Mau": no way to tell where the ward ends
            samples.append(Sample(_join(parts, variant), "new", style, (code,), False))
            continue
        old = rnd.choice(numbered if pick < 0.6 else olds)
        kind = split_kind(old.name)[0]
        dkind, dcore = split_kind(old.district_name)
        is_numbered = split_kind(old.name)[1].isdigit()
        if variant == "notype" and (is_numbered or dcore.isdigit()):
            variant = ""
        if variant == "noprovince" and len(district_names[dcore]) > 1:
            variant = ""
        rural = kind != "phuong"
        if variant == "notype":
            ward, district = _bare(old.name), _bare(old.district_name)
            if style == "plain":
                ward, district = fold(ward).title(), fold(district).title()
        else:
            ward = _style(old.name, kind, style, _ABBR_WARD)
            district = _style(old.district_name, dkind, style, _ABBR_DISTRICT)
        parts = [_street(rnd, rural), ward, district]
        # Old ward and district with the new province happens too ("…, Dĩ An, TP.HCM").
        mixed = rnd.random() < 0.2
        new_pcode = new_province[int(old.ward_codes[0])]
        if variant != "noprovince":
            parts.append(
                _province_text(provinces[new_pcode] if mixed else old.province_name, style, rnd)
            )
        alike = [old]
        if style == "plain":
            # Without diacritics (or capitals) "Đồng Thành" and "Đông Thành" are one name.
            alike = twins.get((old.district_code, split_kind(old.name)), alike)
        if variant == "notype":  # "Mường Tè, Mường Tè": the town or the commune
            alike = [
                o
                for o in twins_any.get((old.district_code, split_kind(old.name)[1]), [])
                if o.name.split(" ", len(split_kind(o.name)[0].split()))[-1] == _bare(old.name)
                or style == "plain"
            ] or [old]
        if mixed:
            # With the new province only, two old provinces may each have had a "Huyện Châu
            # Thành" with a "Xã Phú Tân": both are right, the agent picks.
            mkey = (new_pcode, split_kind(old.district_name), split_kind(old.name))
            folded = style == "plain"
            alike = [o for o in mixed_twins.get(mkey, [old]) if folded or o.name == old.name]
        codes = tuple(dict.fromkeys(int(c) for o in alike for c in o.ward_codes))
        samples.append(Sample(_join(parts, variant), "old", style, codes, is_numbered))
    return samples
