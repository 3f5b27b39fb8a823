from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from cskh.cases.models import Case, CaseEvent
from cskh.core.errors import NotFound
from cskh.core.pagination import keyset_page
from cskh.org import permissions
from cskh.org.models import User
from cskh.org.selectors import visible_unit_ids

LIST_RELATED = ("customer", "case_type", "unit", "assigned_agent")


def visible_cases(user: User) -> QuerySet[Case]:
    qs = Case.objects.all()
    units = visible_unit_ids(user)
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    return qs


def get_for_user(user: User, number: str) -> Case:
    from django.utils.translation import gettext as _

    case = (
        Case.objects.select_related(
            "customer", "case_type__profile", "unit", "assigned_agent", "service_point"
        )
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if case is None or not permissions.can_view_case(user, case):
        # another unit's case does not exist for this user (404, not 403)
        raise NotFound(_("Không tìm thấy vụ việc %(n)s.") % {"n": number})
    return case


def list_cases(
    user: User,
    *,
    status: str | None = None,
    type_code: str | None = None,
    unit: str | None = None,
    channel: str | None = None,
    agent_id: int | None = None,
    customer_id: int | None = None,
    is_open: bool | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
    order: tuple[str, ...] = ("-id",),
) -> tuple[list[Case], str | None]:
    qs = visible_cases(user).select_related(*LIST_RELATED)
    if status:
        qs = qs.filter(status=status)
    if type_code:
        qs = qs.filter(case_type__code=type_code)
    if unit:
        qs = qs.filter(unit__code=unit)
    if channel:
        qs = qs.filter(channel=channel)
    if agent_id:
        qs = qs.filter(assigned_agent_id=agent_id)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if is_open is not None:
        qs = qs.filter(is_open=is_open)
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    if order[0].lstrip("-") == "due_at":
        qs = qs.filter(due_at__isnull=False)
    return keyset_page(qs, cursor=cursor, limit=limit, order=order)


def timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("created_at", "id"))


def labelled_texts(profile_code: str) -> Iterable[tuple[str, str]]:
    """Texts of cases whose type a person confirmed or corrected, for retraining classifiers."""
    qs = (
        Case.objects.filter(case_type__profile__code=profile_code, type_confirmed=True)
        .exclude(channel="api")
        .values_list("description", "case_type__code")
        .order_by("-id")
    )
    return qs.iterator(chunk_size=2000)
