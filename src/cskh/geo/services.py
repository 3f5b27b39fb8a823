"""Loads administrative units from the maintained `vietnam-provinces` package."""

from django.db import transaction

from cskh.core import dbstats, refcache
from cskh.core.text import fold
from cskh.geo.models import Province, Ward


def _legacy_names(new_code: int) -> str:
    from vietnam_provinces import _ward_conversion_2025 as conv
    from vietnam_provinces.legacy import District as OldDistrict
    from vietnam_provinces.legacy import Ward as OldWard
    from vietnam_provinces.legacy.codes import DistrictCode, WardCode

    entry = conv.find_old_wards(new_code)
    if not entry:
        return ""
    names: list[str] = []
    for ref in entry.old_wards:
        try:
            old = OldWard.from_code(WardCode(ref.code))
            district = OldDistrict.from_code(DistrictCode(ref.district_code))
        except (ValueError, KeyError):
            continue
        item = f"{old.name}, {district.name}"
        if item not in names:
            names.append(item)
    return "; ".join(names)


@transaction.atomic
def load_admin_units(
    province_codes: list[int] | None = None,
    *,
    province_model: type[Province] = Province,
    ward_model: type[Ward] = Ward,
) -> int:
    """Idempotent: inserts missing provinces/wards. Returns the number of wards added.

    The model arguments let the data migration pass its historical models.
    """
    Province, Ward = province_model, ward_model  # noqa: N806
    from vietnam_provinces import Province as VP
    from vietnam_provinces import Ward as VW

    existing_p = set(Province.objects.values_list("code", flat=True))
    provinces = [
        Province(code=int(p.code), name=p.name, name_folded=fold(p.name))
        for p in VP.iter_all()
        if int(p.code) not in existing_p
    ]
    Province.objects.bulk_create(provinces)
    wanted = set(province_codes) if province_codes else None
    existing_w = set(Ward.objects.values_list("code", flat=True))
    wards = []
    for w in VW.iter_all():
        pcode = int(w.province_code)
        if int(w.code) in existing_w or (wanted is not None and pcode not in wanted):
            continue
        legacy = _legacy_names(int(w.code))
        wards.append(
            Ward(
                code=int(w.code),
                province_id=pcode,
                name=w.name,
                name_folded=fold(w.name),
                legacy_names=legacy,
                legacy_folded=fold(legacy),
                is_rural=w.name.startswith(("Xã", "Đặc khu")),
            )
        )
    Ward.objects.bulk_create(wards, batch_size=500)
    refcache.invalidate("geo.wards")  # bulk_create sends no signals
    dbstats.analyze([Province, Ward], rows=len(wards))
    return len(wards)
