from cskh.core import refcache
from cskh.geo import address
from cskh.geo.address import AddressIndex, AddressResolution
from cskh.geo.models import LegacyWard, Province, Ward


def _build_index() -> AddressIndex:
    new_wards = []
    for code, name, province_code in Ward.objects.values_list("code", "name", "province_id"):
        kind, core = address.split_kind(name)
        new_wards.append(
            address.NewWard(code, name, kind, core, province_code, address.exact_core(name))
        )
    old_wards = []
    districts: dict[int, address.District] = {}
    old_provinces: dict[int, str] = {}
    rows = LegacyWard.objects.values_list(
        "code",
        "name",
        "district_code",
        "district_name",
        "province_code",
        "province_name",
        "ward_codes",
    )
    for code, name, dcode, dname, pcode, pname, ward_codes in rows:
        kind, core = address.split_kind(name)
        old_wards.append(
            address.OldWard(
                code,
                name,
                kind,
                core,
                dcode,
                pcode,
                tuple(int(c) for c in ward_codes),
                address.exact_core(name),
            )
        )
        if dcode not in districts:
            dkind, dcore = address.split_kind(dname)
            districts[dcode] = address.District(dcode, dname, dkind, dcore, pcode)
        old_provinces[pcode] = pname
    return AddressIndex(
        new_wards=new_wards,
        old_wards=old_wards,
        districts=districts.values(),
        provinces=dict(Province.objects.values_list("code", "name")),
        old_provinces=old_provinces,
    )


def address_index() -> AddressIndex:
    """The name tables of the address resolver, built once per process (~0.3 s) and rebuilt
    when wards change (reference-cache family ``geo.address``). Read-only."""
    return refcache.get("geo.address", _build_index)


def resolve_address(text: str, *, province_code: int | None = None) -> AddressResolution:
    """Free-text address (old or new form) -> the current ward, or the wards to choose from.

    See ``cskh.geo.address`` for how it reads; callers decide what a choice means (the desk
    shows a picker, the API answers 409 with the candidates)."""
    return address_index().resolve(text or "", province_code=province_code)


def find_ward_in_text(text: str, *, province_code: int | None = None) -> Ward | None:
    """The current ward of a free-text address when it is certain, else None."""
    resolution = resolve_address(text, province_code=province_code)
    if resolution.ward_code is None:
        return None
    return wards_by_code().get(resolution.ward_code)


def wards_by_code() -> dict[int, Ward]:
    """Every ward with its province, cached per process (administrative units change by
    decree, not by the minute). Treat the objects as read-only."""
    return refcache.get(
        "geo.wards", lambda: {w.code: w for w in Ward.objects.select_related("province")}
    )
