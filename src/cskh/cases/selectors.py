from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from cskh.cases.models import Case, CaseEvent, Interaction
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
        raise NotFound(_("Không tìm thấy yêu cầu %(n)s.") % {"n": number})
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


def inbound_contacts_per_half_hour(*, start: datetime, end: datetime) -> list[tuple[str, Any, int]]:
    """(channel, half-hour start in local time, count) of inbound interactions in
    [start, end): calls recorded from the PBX's events, chats, e-mails, visits. Workforce
    forecasting reads this; one grouped query (hour truncation + a minute ≥ 30 flag)."""
    from datetime import timedelta

    from django.db.models import Case as When_
    from django.db.models import Count, IntegerField, Value, When
    from django.db.models.functions import TruncHour

    rows = (
        Interaction.objects.filter(direction="in", started_at__gte=start, started_at__lt=end)
        .annotate(
            hour=TruncHour("started_at"),
            half=When_(
                When(started_at__minute__gte=30, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values_list("channel", "hour", "half")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(ch, hour + timedelta(minutes=30 * half), n) for ch, hour, half, n in rows]


def get_by_number(number: str) -> Case | None:
    """The case with this number, no access check (callers decide: e.g. an e-mail naming its
    case in the subject joins it only when the sender is the case's customer)."""
    return Case.objects.filter(number=(number or "").strip().upper()).first()


def recent_written_cases(*, limit: int) -> list[tuple[int, int, datetime]]:
    """(id, customer id, created_at) of the newest cases opened on a written channel (Zalo,
    social, e-mail, chat): the demo ties conversations to them."""
    return list(
        Case.objects.filter(channel__in=["zalo", "social", "email", "chat"])
        .order_by("-id")
        .values_list("id", "customer_id", "created_at")[:limit]
    )


def handled_in_range(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Cases created in [start, end) with an assigned agent, as plain rows (QA sampling)."""
    rows = (
        Case.objects.filter(created_at__gte=start, created_at__lt=end, assigned_agent__isnull=False)
        .order_by("id")
        .values("id", "assigned_agent_id", "complaint", "created_at", "resolved_at")
    )
    return [dict(row) for row in rows]


# --------------------------------------------------------------------------- personal data


def export_for_customer(customer_id: int) -> dict[str, Any]:
    """The customer's cases (with their timeline) and interactions, for a data-subject access
    request (internal notes included: they are about the customer). Staff identities are
    left out: they are not the customer's data."""
    cases = (
        Case.objects.filter(customer_id=customer_id)
        .select_related("case_type", "unit", "service_point")
        .prefetch_related("events")
        .order_by("created_at", "id")
    )
    out_cases = [
        {
            "number": c.number,
            "type": c.case_type.name,
            "channel": c.channel,
            "status": c.status,
            "subject": c.subject,
            "description": c.description,
            "resolution": c.resolution,
            "unit": c.unit.name if c.unit is not None else "",
            "service_point": c.service_point.code if c.service_point is not None else "",
            "created_at": c.created_at.isoformat(),
            "due_at": c.due_at.isoformat() if c.due_at else None,
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            "closed_at": c.closed_at.isoformat() if c.closed_at else None,
            "events": [
                {"kind": e.kind, "body": e.body, "at": e.created_at.isoformat()}
                for e in sorted(c.events.all(), key=lambda e: (e.created_at, e.pk))
            ],
        }
        for c in cases
    ]
    interactions = Interaction.objects.filter(customer_id=customer_id).order_by("started_at", "id")
    return {
        "cases": out_cases,
        "interactions": [
            {
                "channel": i.channel,
                "direction": i.direction,
                "from": i.from_address,
                "to": i.to_address,
                "started_at": i.started_at.isoformat(),
                "ended_at": i.ended_at.isoformat() if i.ended_at else None,
                "duration_seconds": i.duration_seconds,
                "recording_url": i.recording_url,
                "summary": i.summary,
            }
            for i in interactions
        ],
    }


def case_ids_of_customer(customer_id: int) -> list[int]:
    return list(Case.objects.filter(customer_id=customer_id).values_list("id", flat=True))


def cases_by_ids(ids: list[int]) -> list[Case]:
    return list(Case.objects.filter(id__in=ids).order_by("id"))


# --- the customer's own view (self-service portal) -------------------------------------------

# Timeline kinds a customer may read. Everything else (internal notes, assignments, SLA and
# escalation steps, dispatch journal, links) is staff-only, whatever its `public` flag says.
CUSTOMER_KINDS = frozenset(
    {
        CaseEvent.Kind.CREATED,
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.REPLY,
        CaseEvent.Kind.INTERACTION,
    }
)


def for_customer(customer_id: int, *, limit: int = 50, before: int | None = None) -> list[Case]:
    """The customer's cases, newest first (index case_customer_id), with what a list shows;
    ``before`` (a case id) gives the next page of a keyset-paginated list."""
    qs = Case.objects.filter(customer_id=customer_id)
    if before is not None:
        qs = qs.filter(id__lt=before)
    return list(
        qs.select_related("case_type", "service_point")
        .only(
            "id",
            "number",
            "status",
            "is_open",
            "subject",
            "created_at",
            "due_at",
            "resolved_at",
            "closed_at",
            "customer_id",
            "case_type__name",
            "service_point__code",
            "service_point__address",
        )
        .order_by("-id")[:limit]
    )


def get_for_customer(customer_id: int, number: str) -> Case:
    """The customer's own case by number; another customer's case does not exist (404)."""
    from django.utils.translation import gettext as _

    case = (
        Case.objects.select_related("case_type", "service_point")
        .filter(number=(number or "").strip().upper(), customer_id=customer_id)
        .first()
    )
    if case is None:
        raise NotFound(_("Không tìm thấy yêu cầu %(n)s.") % {"n": number})
    return case


def customer_timeline(case: Case, *, staff_first_name: bool = False) -> list[dict[str, Any]]:
    """The part of the timeline the customer may read, as plain rows {at, kind, who, body,
    status, event_id}: the customer's own messages, replies sent to the customer, status
    changes (their note only for a resolution or a reopening, which the customer is told
    anyway), never internal notes and never a staff member's full name (``staff_first_name``:
    the given name only, e.g. "Lan")."""
    from cskh.cases.states import Status

    rows: list[dict[str, Any]] = []
    events = (
        case.events.filter(kind__in=CUSTOMER_KINDS)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for e in events:
        data = e.data or {}
        from_customer = e.kind == CaseEvent.Kind.INTERACTION and data.get("direction") == "in"
        if e.kind == CaseEvent.Kind.INTERACTION and not (from_customer or e.public):
            continue
        if e.kind == CaseEvent.Kind.REPLY and not e.public:
            continue
        row: dict[str, Any] = {
            "at": e.created_at,
            "kind": e.kind,
            "event_id": e.pk,
            "from_customer": from_customer,
            "who": "",
            "body": "",
            "status": "",
        }
        if e.kind == CaseEvent.Kind.CREATED:
            # the customer's own words only when they wrote them (an agent's summary of a
            # call may hold internal remarks)
            row["body"] = e.body if data.get("channel") in ("web",) else ""
        elif e.kind == CaseEvent.Kind.STATUS:
            to = str(data.get("to") or "")
            row["status"] = Status(to).label if to in Status.values else ""
            if to == Status.RESOLVED or data.get("reopen"):
                row["body"] = e.body
        else:
            row["body"] = e.body
        if not from_customer and e.actor is not None and staff_first_name:
            row["who"] = (e.actor.first_name or "").strip().split(" ")[-1]
        rows.append(row)
    return rows
