import copy

from cskh.core import refcache
from cskh.org.models import ServiceArea, Unit, User


def unit_for_ward(ward_code: int | None, *, kind: str = Unit.Kind.FIELD) -> Unit | None:
    if ward_code:
        unit = refcache.get(("org.unit_for_ward", kind), lambda: _units_by_ward(kind)).get(
            ward_code
        )
        if unit:
            return copy.copy(unit)  # the cached map's units are shared: the caller gets its own
    return default_unit()


def _units_by_ward(kind: str) -> dict[int, Unit]:
    """ward id -> the active unit of this kind serving it (by unit code when several do)."""
    out: dict[int, Unit] = {}
    areas = (
        ServiceArea.objects.filter(unit__kind=kind, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__code", "unit_id")
    )
    for area in areas:
        out.setdefault(area.ward_id, area.unit)
    return out


def default_unit() -> Unit | None:
    return refcache.get(
        "org.default_unit", lambda: Unit.objects.filter(is_default=True, is_active=True).first()
    )


def visible_unit_ids(user: User) -> set[int] | None:
    """None means every unit; otherwise the ids of the user's unit and its descendants."""
    if user.sees_all_units:
        return None
    if not user.unit_id:
        return set()
    ids = {user.unit_id}
    frontier = [user.unit_id]
    while frontier:
        children = list(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return ids
