from cskh.org.models import Unit, User


def unit_for_ward(ward_code: int | None, *, kind: str = Unit.Kind.FIELD) -> Unit | None:
    if ward_code:
        unit = Unit.objects.filter(
            kind=kind, is_active=True, service_areas__ward_id=ward_code
        ).first()
        if unit:
            return unit
    return default_unit()


def default_unit() -> Unit | None:
    return Unit.objects.filter(is_default=True, is_active=True).first()


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
