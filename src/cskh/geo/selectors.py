import re

from cskh.core import refcache
from cskh.core.text import fold
from cskh.geo.models import Ward

_PREFIX = re.compile(r"^(phuong|xa|dac khu|thi tran|p\.?|x\.?)\s+")


def find_ward_in_text(text: str, *, province_code: int | None = None) -> Ward | None:
    """Best-effort parse of a free-text address into a current ward (new or old names)."""
    folded = fold(text)
    if not folded:
        return None
    qs = Ward.objects.select_related("province")
    if province_code:
        qs = qs.filter(province_id=province_code)
    parts = [p.strip() for p in re.split(r"[,;\n]", folded) if p.strip()]
    for part in parts:
        core = _PREFIX.sub("", part)
        if len(core) < 3:
            continue
        for ward in qs.filter(name_folded__endswith=" " + core):
            return ward
    for part in parts:
        core = _PREFIX.sub("", part)
        if len(core) < 4:
            continue
        legacy = qs.filter(legacy_folded__contains=core).first()
        if legacy:
            return legacy
    return None


def wards_by_code() -> dict[int, Ward]:
    """Every ward with its province, cached per process (administrative units change by
    decree, not by the minute). Treat the objects as read-only."""
    return refcache.get(
        "geo.wards", lambda: {w.code: w for w in Ward.objects.select_related("province")}
    )
