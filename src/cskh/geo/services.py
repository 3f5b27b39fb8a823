"""Loads administrative units from the maintained `vietnam-provinces` package.

Only its public API is used: ``Province``/``Ward`` (since 1 July 2025), ``legacy.Province``/
``legacy.District``/``legacy.Ward`` (before), ``Ward.search_from_legacy(code=...)`` (the
official conversion table, old ward -> new ward(s)), ``Ward.search_from_legacy_district``
and ``Ward.get_legacy_sources()``.

The conversion table is incomplete for 28 of the 10,051 old wards the package lists: they were
merged once more in early 2025 and the table names the merged ward under a code the legacy
list lacks. For those, the current wards are derived from what the package ships: the new
wards formed from the same old district (``search_from_legacy_district``), narrowed to the one
bearing the old ward's name when there is one; otherwise all of them are kept and the agent
picks (``LegacyWard.derived``).
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

from django.db import transaction

from cskh.core import dbstats, refcache
from cskh.core.text import fold
from cskh.geo.models import LegacyWard, Province, Ward

_TYPE_PREFIX = re.compile(r"^(phuong|xa|thi tran|dac khu)\s+")


def _legacy_names(new_ward: Any) -> str:
    from vietnam_provinces.legacy import District as OldDistrict

    names: list[str] = []
    for old in new_ward.get_legacy_sources():
        try:
            district = OldDistrict.from_code(old.district_code)
        except (ValueError, KeyError):
            continue
        item = f"{old.name}, {district.name}"
        if item not in names:
            names.append(item)
    return "; ".join(names)


class WardRow(NamedTuple):
    """A Ward's fields, as the package gives them."""

    code: int
    province_id: int
    name: str
    name_folded: str
    legacy_names: str
    legacy_folded: str
    is_rural: bool


class LegacyWardRow(NamedTuple):
    """A LegacyWard's fields, as the package gives them."""

    code: int
    name: str
    district_code: int
    district_name: str
    province_code: int
    province_name: str
    ward_codes: tuple[int, ...]  # a list in the model's JSON field
    derived: bool


@functools.cache
def _ward_rows() -> tuple[WardRow, ...]:
    """Every current ward as the package describes it, computed once per process: the package
    data cannot change while the process runs, and the tests reload the wards after each
    transactional test empties the tables."""
    from vietnam_provinces import Ward as VW

    rows = []
    for w in VW.iter_all():
        legacy = _legacy_names(w)
        rows.append(
            WardRow(
                code=int(w.code),
                province_id=int(w.province_code),
                name=w.name,
                name_folded=fold(w.name),
                legacy_names=legacy,
                legacy_folded=fold(legacy),
                is_rural=w.name.startswith(("Xã", "Đặc khu")),
            )
        )
    return tuple(rows)


@functools.cache
def _legacy_rows() -> tuple[tuple[LegacyWardRow, frozenset[int]], ...]:
    """Every old ward with the current wards it became (the official conversion table, or
    derived where the table omits it) and their provinces, once per process: the look-ups
    take seconds."""
    from vietnam_provinces import Ward as VW
    from vietnam_provinces.legacy import District as OldDistrict
    from vietnam_provinces.legacy import Province as OldProvince
    from vietnam_provinces.legacy import Ward as OldWard

    new_province = {int(w.code): int(w.province_code) for w in VW.iter_all()}
    districts = {int(d.code): d for d in OldDistrict.iter_all()}
    old_provinces = {int(p.code): p for p in OldProvince.iter_all()}
    rows = []
    for old in OldWard.iter_all():
        code = int(old.code)
        district = districts[int(old.district_code)]
        codes = [int(r.ward.code) for r in VW.search_from_legacy(code=code)]
        derived = not codes
        if derived:
            codes = _derived_codes(old, district.name)
        if not codes:
            continue
        province = old_provinces[int(district.province_code)]
        row = LegacyWardRow(
            code=code,
            name=old.name,
            district_code=int(district.code),
            district_name=district.name,
            province_code=int(province.code),
            province_name=province.name,
            ward_codes=tuple(codes),
            derived=derived,
        )
        rows.append((row, frozenset(new_province[c] for c in codes if c in new_province)))
    return tuple(rows)


@transaction.atomic
def load_admin_units(
    province_codes: list[int] | None = None,
    *,
    province_model: type[Province] = Province,
    ward_model: type[Ward] = Ward,
    legacy_model: type[LegacyWard] | None = LegacyWard,
) -> int:
    """Idempotent: inserts missing provinces/wards (and the old wards they were formed from).
    Returns the number of wards added.

    The model arguments let the data migrations pass their historical models
    (``legacy_model=None`` before the old-ward table exists).
    """
    Province, Ward = province_model, ward_model  # noqa: N806
    from vietnam_provinces import Province as VP

    existing_p = set(Province.objects.values_list("code", flat=True))
    provinces = [
        Province(code=int(p.code), name=p.name, name_folded=fold(p.name))
        for p in VP.iter_all()
        if int(p.code) not in existing_p
    ]
    Province.objects.bulk_create(provinces)
    wanted = set(province_codes) if province_codes else None
    existing_w = set(Ward.objects.values_list("code", flat=True))
    wards = [
        Ward(**row._asdict())
        for row in _ward_rows()
        if row.code not in existing_w and (wanted is None or row.province_id in wanted)
    ]
    Ward.objects.bulk_create(wards, batch_size=500)
    if legacy_model is not None:
        load_legacy_wards(province_codes, legacy_model=legacy_model)
    refcache.invalidate("geo.wards", "geo.address")  # bulk_create sends no signals
    dbstats.analyze([Province, Ward], rows=len(wards))
    return len(wards)


def _derived_codes(old: Any, district_name: str) -> list[int]:
    """Current wards for an old ward the conversion table omits (see the module docstring)."""
    from vietnam_provinces import Ward as VW

    pool = {
        int(r.ward.code): r.ward
        for r in VW.search_from_legacy_district(code=int(old.district_code))
    }
    core = _TYPE_PREFIX.sub("", fold(old.name))
    same_name = [code for code, w in pool.items() if _TYPE_PREFIX.sub("", fold(w.name)) == core]
    return same_name[:1] or sorted(pool)


@transaction.atomic
def load_legacy_wards(
    province_codes: list[int] | None = None, *, legacy_model: type[LegacyWard] = LegacyWard
) -> int:
    """Idempotent: inserts the old wards whose current wards lie in province_codes (all when
    None) with their conversion. Returns the number added."""
    wanted = set(province_codes) if province_codes else None
    existing = set(legacy_model.objects.values_list("code", flat=True))
    rows = [
        legacy_model(**{**row._asdict(), "ward_codes": list(row.ward_codes)})
        for row, provinces in _legacy_rows()
        if row.code not in existing and (wanted is None or not wanted.isdisjoint(provinces))
    ]
    legacy_model.objects.bulk_create(rows, batch_size=1000)
    refcache.invalidate("geo.address")
    return len(rows)
