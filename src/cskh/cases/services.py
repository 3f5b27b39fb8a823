from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import CharField, F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.cases import states
from cskh.cases.models import Case, CaseCounter, CaseEvent, CaseLink, Channel, Interaction
from cskh.cases.states import Status
from cskh.catalog.models import CaseType, Priority
from cskh.core import audit, hooks
from cskh.core.errors import DomainError
from cskh.core.text import nfc
from cskh.core.types import Actor
from cskh.customers.models import Customer, ServicePoint
from cskh.org.models import Unit, User


def _clean_text(text: str, *, field: str, required: bool = True) -> str:
    text = nfc(text or "").strip()
    if required and not text:
        raise DomainError(_("Thiếu nội dung (%(f)s).") % {"f": field}, code="missing_text")
    if len(text) > settings.CSKH_MAX_TEXT:
        raise DomainError(
            _("Nội dung quá dài (tối đa %(n)s ký tự).") % {"n": settings.CSKH_MAX_TEXT},
            code="too_long",
        )
    return text


def _next_number(now: datetime) -> str | RawSQL:
    """The new case's number, or on PostgreSQL (once the year's sequence is known to exist) an
    expression that the case's INSERT evaluates: the number then costs no round trip of its
    own, and save() reads it back from the INSERT's RETURNING clause."""
    year = timezone.localtime(now).year
    if connection.vendor == "postgresql":
        if year in _SEQUENCES_SEEN:
            return RawSQL(
                "(SELECT %s || lpad(v::text, greatest(6, length(v::text)), '0') "
                "FROM nextval(%s) AS v)",
                [f"{settings.CSKH_CASE_NUMBER_PREFIX}-{year}-", _sequence_name(year)],
                output_field=CharField(),
            )
        value = _pg_next_value(year)
    else:  # SQLite has one writer at a time anyway: a counter row is enough
        updated = CaseCounter.objects.filter(year=year).update(value=F("value") + 1)
        if not updated:
            CaseCounter.objects.get_or_create(year=year)
            CaseCounter.objects.filter(year=year).update(value=F("value") + 1)
        value = CaseCounter.objects.filter(year=year).values_list("value", flat=True).get()
    return f"{settings.CSKH_CASE_NUMBER_PREFIX}-{year}-{value:06d}"


def _sequence_name(year: int) -> str:
    return f"cases_number_{int(year)}"


_SEQUENCES_SEEN: set[int] = set()


def _pg_next_value(year: int) -> int:
    """nextval() on a per-year sequence: unlike a counter row it holds no lock until commit,
    so concurrent case intake does not queue behind one row (a rolled-back case leaves a gap)."""
    name = _sequence_name(year)
    for _attempt in range(2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s)", [name])
                value: int = cursor.fetchone()[0]
            # only once committed: a rolled-back transaction may have created the sequence
            transaction.on_commit(lambda: _SEQUENCES_SEEN.add(year))
            return value
        except (ProgrammingError, IntegrityError):
            sync_number_sequences(years=[year])
    raise RuntimeError(f"sequence {name} unavailable")


def sync_number_sequences(years: list[int] | None = None) -> None:
    """Make PostgreSQL's per-year sequences and CaseCounter agree (after bulk loads)."""
    if connection.vendor != "postgresql":
        return
    counters = dict(CaseCounter.objects.values_list("year", "value"))
    for year in years or list(counters):
        name = _sequence_name(year)
        start = counters.get(year, 0)
        with transaction.atomic(), connection.cursor() as cursor:
            # Two processes opening the year's first cases at once would both create the
            # sequence (a unique violation in pg_class): one waits here until the other's
            # transaction ends, then finds it.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH 1 MINVALUE 0')
            cursor.execute(f'SELECT last_value, is_called FROM "{name}"')
            last, called = cursor.fetchone()
            current = max(start, last if called else 0)
            cursor.execute("SELECT setval(%s, %s, %s)", [name, max(current, 1), current > 0])
            CaseCounter.objects.update_or_create(year=year, defaults={"value": current})


def add_event(
    *,
    case: Case,
    kind: str,
    actor: Actor = None,
    body: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=_user(actor),
        body=body,
        public=public,
        data=data or {},
        created_at=at or timezone.now(),
    )


def add_events(*, case: Case, events: list[dict[str, Any]]) -> list[CaseEvent]:
    """Several timeline events of one case in one INSERT (e.g. the SLA steps one scan fires);
    each dict holds add_event's keyword arguments except `case`."""
    rows = [
        CaseEvent(
            case=case,
            kind=e["kind"],
            actor=_user(e.get("actor")),
            body=e.get("body", ""),
            public=e.get("public", False),
            data=e.get("data") or {},
            created_at=e.get("at") or timezone.now(),
        )
        for e in events
    ]
    return CaseEvent.objects.bulk_create(rows) if rows else []


def _user(actor: Actor) -> User | None:
    """The signed-in user acting, or None (the system, an anonymous visitor)."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


@transaction.atomic
def open_case(
    *,
    customer: Customer,
    case_type: CaseType,
    description: str,
    channel: str = Channel.PHONE,
    priority: int | None = None,
    subject: str = "",
    actor: Actor = None,
    service_point: ServicePoint | None = None,
    resolved_on_call: bool = False,
    resolution: str | Callable[[Case], str] = "",
    interaction: Interaction | None = None,
    type_confirmed: bool = True,
    assign_to_actor: bool = False,
    at: datetime | None = None,
) -> Case:
    """Open a case and run the ``case_opened`` hooks. ``resolved_on_call``: the case was
    resolved during the contact (first-contact resolution); the hooks are told so (no
    auto-dispatch) and the case is resolved with ``resolution`` as its note. ``resolution`` may
    be a function of the stored case, for a text that names its number or due time."""
    from cskh.catalog.services import route

    description = _clean_text(description, field="description")
    subject = _clean_text(subject, field="subject", required=False)[:200]
    if channel not in Channel.values:
        raise DomainError(_("Kênh không hợp lệ: %(c)s") % {"c": channel}, code="bad_channel")
    if priority is None:
        priority = case_type.default_priority
    if priority not in Priority.values:
        raise DomainError(
            _("Mức ưu tiên không hợp lệ: %(p)s") % {"p": priority}, code="bad_priority"
        )
    if service_point is not None and service_point.customer_id != customer.pk:
        raise DomainError(_("Điểm dịch vụ không thuộc khách hàng này."), code="bad_service_point")
    if service_point is None:
        # a customer with exactly one meter/line: the case is about it (work orders then
        # carry its feeder/transformer or OLT/splitter); with several, the caller chooses
        only = list(customer.service_points.all()[:2])
        service_point = only[0] if len(only) == 1 else None
    now = at or timezone.now()
    ward_id = (service_point.ward_id if service_point else None) or customer.ward_id
    unit = route(case_type=case_type, ward_id=ward_id)
    user = _user(actor)
    case = Case(
        number=_next_number(now),
        customer=customer,
        service_point=service_point,
        case_type=case_type,
        type_confirmed=type_confirmed,
        channel=channel,
        priority=priority,
        subject=subject or case_type.name,
        description=description,
        unit=unit,
        assigned_agent=user if assign_to_actor else None,
        created_by=user,
        created_at=now,
        status=Status.ASSIGNED if assign_to_actor and user else Status.NEW,
    )
    # before the insert: sla sets the due times on the new row (an UPDATE afterwards would
    # write every index of the case table twice)
    hooks.run("case_opening", case=case)
    case.save(force_insert=True)
    add_event(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        actor=user,
        body=description,
        at=now,
        data={
            "type": case_type.code,
            "channel": channel,
            "priority": priority,
            "unit": unit.code if unit else None,
        },
    )
    if interaction is not None:
        interaction.cases.add(case)
    hooks.run("case_opened", case=case, actor=user, resolved_on_call=resolved_on_call)
    audit.record(
        actor=user,
        action="case.open",
        obj=case,
        changes={"number": case.number, "type": case_type.code},
    )
    if resolved_on_call:
        note = resolution(case) if callable(resolution) else resolution
        case = transition(
            case=case,
            to=Status.RESOLVED,
            actor=actor,
            note=note or str(_("Đã giải quyết ngay trong cuộc gọi.")),
            first_contact=True,
        )
    return case


@transaction.atomic
def transition(
    *, case: Case, to: str, actor: Actor = None, note: str = "", first_contact: bool = False
) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to not in Status.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": to}, code="bad_status")
    if to not in states.allowed(case.status):
        raise DomainError(
            _("Không thể chuyển yêu cầu từ “%(a)s” sang “%(b)s”.")
            % {"a": Status(case.status).label, "b": Status(to).label},
            status=409,
            code="illegal_transition",
        )
    note = _clean_text(note, field="note", required=False)
    if to == Status.RESOLVED and not note and not case.resolution:
        raise DomainError(_("Cần ghi kết quả giải quyết."), code="missing_resolution")
    now = timezone.now()
    before = case.status
    case.status = to
    case.is_open = to in states.OPEN_STATUSES
    if to == Status.RESOLVED:
        case.resolved_at = now
        case.resolution = note or case.resolution
        case.resolved_on_first_contact = first_contact
    elif to == Status.CLOSED:
        case.closed_at = now
    elif states.is_reopen(before, to):
        case.reopen_count += 1
        case.resolved_at = None
        case.closed_at = None
    case.save()
    add_event(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        actor=actor,
        body=note,
        at=now,
        data={"from": before, "to": to, "reopen": states.is_reopen(before, to)},
    )
    hooks.run("case_transitioned", case=case, before=before, actor=_user(actor))
    audit.record(actor=actor, action="case.transition", obj=case, changes={"status": [before, to]})
    return case


@transaction.atomic
def add_note(*, case: Case, body: str, public: bool = False, actor: Actor = None) -> CaseEvent:
    body = _clean_text(body, field="body")
    event = add_event(
        case=case,
        kind=CaseEvent.Kind.REPLY if public else CaseEvent.Kind.NOTE,
        actor=actor,
        body=body,
        public=public,
    )
    if public and case.first_responded_at is None:
        Case.objects.filter(pk=case.pk).update(first_responded_at=event.created_at)
        case.first_responded_at = event.created_at
    if public:
        hooks.run("case_replied", case=case, event=event, actor=_user(actor))
    else:
        hooks.run("case_noted", case=case, event=event, actor=_user(actor))
    return event


@transaction.atomic
def assign(
    *,
    case: Case,
    agent: User | None = None,
    unit: Unit | None = None,
    actor: Actor = None,
    reason: str = "",
) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if agent is None and unit is None:
        raise DomainError(_("Cần chọn người hoặc đơn vị xử lý."), code="missing_assignee")
    if not case.is_open:
        raise DomainError(_("Yêu cầu đã đóng, không thể phân công."), status=409, code="closed")
    if agent is not None and not agent.is_active:
        raise DomainError(_("Người dùng không còn hoạt động."), code="inactive_user")
    before = {"agent": case.assigned_agent_id, "unit": case.unit_id}
    if agent is not None:
        case.assigned_agent = agent
    if unit is not None:
        case.unit = unit
    if case.status == Status.NEW and case.assigned_agent_id:
        case.status = Status.ASSIGNED
    case.save()
    add_event(
        case=case,
        kind=CaseEvent.Kind.ASSIGNMENT,
        actor=actor,
        body=reason,
        data={
            "from": before,
            "agent": case.assigned_agent_id,
            "unit": case.unit_id,
            "agent_name": case.assigned_agent.display_name if case.assigned_agent else "",
            "unit_name": case.unit.name if case.unit else "",
        },
    )
    audit.record(
        actor=actor,
        action="case.assign",
        obj=case,
        changes={
            "agent": [before["agent"], case.assigned_agent_id],
            "unit": [before["unit"], case.unit_id],
        },
    )
    hooks.run("case_assigned", case=case, before=before, actor=_user(actor))
    return case


def set_due_times(
    *, case: Case, first_response_due_at: datetime | None, due_at: datetime | None
) -> None:
    """The SLA app's computed due times, stored on the case (and on this instance)."""
    case.first_response_due_at = first_response_due_at
    case.due_at = due_at
    Case.objects.filter(pk=case.pk).update(
        first_response_due_at=first_response_due_at, due_at=due_at
    )


@transaction.atomic
def change_priority(
    *, case: Case, priority: int, actor: Actor = None, reason: str = "", at: datetime | None = None
) -> Case:
    """Set the priority (e.g. textintel raising a case with danger cues to Khẩn cấp) and
    recompute the SLA targets from the new priority (elapsed time is kept)."""
    if priority not in Priority.values:
        raise DomainError(
            _("Mức ưu tiên không hợp lệ: %(p)s") % {"p": priority}, code="bad_priority"
        )
    before = case.priority
    if before == priority:
        return case
    case.priority = priority
    case.save(update_fields=["priority", "updated_at"])
    add_event(
        case=case,
        kind=CaseEvent.Kind.ESCALATION,
        actor=actor,
        body=reason,
        data={"priority": [before, priority]},
        at=at,
    )
    # sla: new targets, due times stored back on the case (set_due_times)
    hooks.run("case_priority_changed", case=case, before=before, actor=_user(actor), at=at)
    audit.record(
        actor=_user(actor),
        action="case.change_priority",
        obj=case,
        changes={"priority": [before, priority], "reason": reason},
    )
    return case


@transaction.atomic
def link_cases(
    *, case: Case, other: Case, kind: str = CaseLink.Kind.RELATED, actor: Actor = None
) -> CaseLink:
    if case.pk == other.pk:
        raise DomainError(_("Không thể liên kết yêu cầu với chính nó."), code="self_link")
    if kind not in CaseLink.Kind.values:
        raise DomainError(_("Loại liên kết không hợp lệ."), code="bad_link")
    link, created = CaseLink.objects.get_or_create(
        from_case=case, to_case=other, defaults={"kind": kind}
    )
    if created:
        add_event(
            case=case,
            kind=CaseEvent.Kind.LINK,
            actor=actor,
            data={"to": other.number, "kind": kind},
        )
        add_event(
            case=other,
            kind=CaseEvent.Kind.LINK,
            actor=actor,
            data={"from": case.number, "kind": kind},
        )
    return link


@transaction.atomic
def record_interaction(
    *,
    channel: str = Channel.PHONE,
    customer: Customer | None = None,
    agent: User | None = None,
    external_id: str = "",
    from_address: str = "",
    to_address: str = "",
    direction: str = Interaction.Direction.INBOUND,
    state: str = Interaction.State.RINGING,
    started_at: datetime | None = None,
    summary: str = "",
) -> Interaction:
    return Interaction.objects.create(
        channel=channel,
        customer=customer,
        agent=agent,
        external_id=external_id,
        from_address=from_address,
        to_address=to_address,
        direction=direction,
        state=state,
        started_at=started_at or timezone.now(),
        summary=summary,
    )


@transaction.atomic
def end_interaction(
    *,
    interaction: Interaction,
    ended_at: datetime | None = None,
    recording_url: str = "",
    timed_out: bool = False,
) -> Interaction:
    """End a call. ``timed_out``: the PBX never sent its end; the system closed it (the
    timeline of its cases says so, so nobody reads the duration as a real one)."""
    interaction.ended_at = ended_at or timezone.now()
    begin = interaction.answered_at or interaction.started_at
    interaction.duration_seconds = max(0, int((interaction.ended_at - begin).total_seconds()))
    interaction.state = (
        Interaction.State.ENDED if interaction.answered_at else Interaction.State.MISSED
    )
    if recording_url:
        interaction.recording_url = recording_url
    interaction.save()
    for case in interaction.cases.all():
        add_event(
            case=case,
            kind=CaseEvent.Kind.INTERACTION,
            data={
                "interaction": interaction.pk,
                "channel": interaction.channel,
                "duration": interaction.duration_seconds,
                **({"timed_out": True} if timed_out else {}),
            },
        )
    return interaction


def set_interaction_customer(
    *, interaction: Interaction, customer: Customer, actor: Actor = None
) -> bool:
    """An unknown caller is now known (quick-create, or the case logged for them). Never
    overwrites a customer already set. Returns whether it was set."""
    updated = Interaction.objects.filter(pk=interaction.pk, customer__isnull=True).update(
        customer=customer
    )
    if updated:
        interaction.customer = customer
        audit.record(
            actor=_user(actor),
            action="interaction.identify",
            obj=interaction,
            changes={"customer": customer.pk},
        )
    return bool(updated)


# --------------------------------------------------------------------------- personal data

ERASED_TEXT = "[đã xoá theo yêu cầu của khách hàng]"


@transaction.atomic
def anonymise_customer(*, customer_id: int, actor: Actor = None) -> dict[str, int]:
    """Erase the person from their cases and interactions and keep the statistics: case
    numbers, types, units, channels, statuses, priorities and every time stay; texts the
    customer or staff wrote about them (subject, description, resolution, notes, replies,
    call summaries) and phone numbers and recording links go. The search index is rebuilt by
    the caller (cskh.privacy), which sits above the search app."""
    case_ids = list(Case.objects.filter(customer_id=customer_id).values_list("id", flat=True))
    cases = Case.objects.filter(id__in=case_ids).update(
        subject="", description=ERASED_TEXT, resolution=""
    )
    events = (
        CaseEvent.objects.filter(case_id__in=case_ids).exclude(body="").update(body=ERASED_TEXT)
    )
    interactions = Interaction.objects.filter(customer_id=customer_id).update(
        from_address="", to_address="", recording_url="", summary=""
    )
    audit.record(
        actor=actor,
        action="cases.anonymise_customer",
        obj=Customer(pk=customer_id),
        changes={"cases": cases, "events": events, "interactions": interactions},
    )
    return {"cases": cases, "case_events": events, "interactions": interactions}


def purge_recording_links(*, before: datetime) -> int:
    """Retention: recording links of calls that started before ``before`` are removed (the
    recordings themselves live in the PBX, under its own retention)."""
    return (
        Interaction.objects.filter(started_at__lt=before)
        .exclude(recording_url="")
        .update(recording_url="")
    )


@transaction.atomic
def add_customer_message(
    *, case: Case, body: str, channel: str = Channel.WEB, data: dict[str, Any] | None = None
) -> CaseEvent:
    """A message the customer wrote themselves (the self-service portal): an inbound
    interaction on the timeline, visible to them. A case waiting for the customer's answer goes
    back to work (its SLA clock resumes through the transition's hooks)."""
    body = _clean_text(body, field="body")
    if channel not in Channel.values:
        raise DomainError(_("Kênh không hợp lệ: %(c)s") % {"c": channel}, code="bad_channel")
    event = add_event(
        case=case,
        kind=CaseEvent.Kind.INTERACTION,
        body=body,
        public=True,
        data={"channel": channel, "direction": "in", **(data or {})},
    )
    if case.status == Status.WAITING_CUSTOMER:
        transition(case=case, to=Status.IN_PROGRESS, note="")
    hooks.run("case_noted", case=case, event=event, actor=None)
    return event
