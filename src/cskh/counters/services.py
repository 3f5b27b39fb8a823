"""Every state change of the counter app: queue tickets (issue, call next, recall, serve,
finish, no-show, transfer, log the visit) and appointments (book, check in).

Race safety:
- ticket numbers: one ``NumberSeq`` row per service and day, incremented with an UPDATE (the
  row lock serialises concurrent kiosks until commit);
- call next: the candidate row is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL (two counters calling at once take two different tickets, neither waits), and
  the state change is a conditional UPDATE (``state = waiting``) on every database;
- appointment capacity: a conditional UPDATE ``booked < capacity`` on the slot's row.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case as When_
from django.db.models import DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Channel, Interaction
from cskh.catalog.services import get_case_type
from cskh.core import audit, hooks, live, ratelimit
from cskh.core.errors import Conflict, DomainError, NotFound
from cskh.core.phones import display as phone_display
from cskh.core.phones import try_e164
from cskh.counters.models import (
    Appointment,
    Counter,
    NumberSeq,
    Office,
    Service,
    SlotLoad,
    Ticket,
)
from cskh.customers import selectors as customer_selectors
from cskh.customers.models import Customer
from cskh.org.models import User

State = Ticket.State
# a booked ticket goes ahead of the walk-in queue from this long before its slot begins
APPOINTMENT_EARLY = timedelta(minutes=10)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def office_channel(office_id: int) -> str:
    """The live-push channel of one office (display boards and counter pages)."""
    return f"counters:office:{office_id}"


def _publish(ticket: Ticket, event: str) -> None:
    counter = ticket.counter
    live.publish(
        office_channel(ticket.office_id),
        {
            "type": "ticket",
            "event": event,
            "ticket": ticket.number,
            "counter": counter.number if counter else None,
        },
    )


def _phone(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    e164 = try_e164(raw)
    if not e164:
        raise DomainError(_("Số điện thoại không hợp lệ."), code="bad_phone")
    return e164


def _customer_for(phone: str) -> Customer | None:
    found = customer_selectors.find_by_phone(phone) if phone else []
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------- tickets


def _next_seq(service: Service, day: Any) -> int:
    """The next number of a service on a day. The UPDATE locks the day's row until commit,
    so two kiosks never print the same number; the first ticket of a day creates the row
    (a concurrent creator loses the unique race and retries the UPDATE)."""
    for _attempt in range(3):
        if NumberSeq.objects.filter(service=service, day=day).update(value=F("value") + 1):
            return int(
                NumberSeq.objects.filter(service=service, day=day)
                .values_list("value", flat=True)
                .get()
            )
        try:
            with transaction.atomic():
                NumberSeq.objects.create(service=service, day=day, value=1)
            return 1
        except IntegrityError:
            continue
    raise Conflict(_("Hệ thống đang bận, vui lòng thử lại."), code="busy")


@transaction.atomic
def issue_ticket(
    *,
    office: Office,
    service: Service,
    phone: str = "",
    appointment: Appointment | None = None,
    at: datetime | None = None,
) -> Ticket:
    """A walk-in's ticket from the kiosk (phone optional: then the counter sees the card)."""
    if service.office_id != office.pk or not service.is_active or not office.is_active:
        raise NotFound(_("Dịch vụ không có ở phòng giao dịch này."))
    e164 = _phone(phone)
    now = at or timezone.now()
    day = timezone.localdate(now)
    seq = _next_seq(service, day)
    ticket = Ticket.objects.create(
        office=office,
        service=service,
        day=day,
        number=f"{service.letter}{seq:03d}",
        phone=e164,
        customer=appointment.customer if appointment else _customer_for(e164),
        appointment=appointment,
        slot_start=appointment.start if appointment else None,
        issued_at=now,
        queued_at=now,
    )
    _publish(ticket, "issued")
    return ticket


def waiting_queue(*, counter: Counter, now: datetime | None = None) -> QuerySet[Ticket]:
    """The tickets this counter may call, in the order it calls them: booked tickets whose
    slot has begun (or begins within APPOINTMENT_EARLY) by slot time, then everyone else first
    come, first served, over the services the counter serves. A ticket transferred to a named
    counter waits for that counter only."""
    now = now or timezone.now()
    due = now + APPOINTMENT_EARLY
    return (
        Ticket.objects.filter(
            office_id=counter.office_id,
            day=timezone.localdate(now),
            state=State.WAITING,
            service__in=counter.services.filter(is_active=True).values("pk"),
        )
        .filter(Q(target_counter__isnull=True) | Q(target_counter=counter))
        .annotate(
            booked_due=When_(
                When(slot_start__lte=due, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            # slot time orders the due bookings only; the others are first come, first served
            due_slot=When_(
                When(slot_start__lte=due, then=F("slot_start")),
                default=Value(None),
                output_field=DateTimeField(),
            ),
        )
        .order_by("booked_due", "due_slot", "queued_at", "id")
    )


def _current(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, state__in=(State.CALLED, State.SERVING))
        .order_by("-called_at")
        .first()
    )


@transaction.atomic
def call_next(*, counter: Counter, actor: User | None) -> Ticket | None:
    """Call the next ticket to this counter, or None when nobody waits. Refused while the
    counter still has a called or serving ticket (finish it, or mark it absent, first)."""
    if not counter.is_active:
        raise Conflict(_("Quầy đang đóng."), code="counter_closed")
    if _current(counter) is not None:
        raise Conflict(
            _("Quầy đang có khách: hãy hoàn tất hoặc báo vắng mặt trước."), code="busy_counter"
        )
    now = timezone.now()
    queue = waiting_queue(counter=counter, now=now)
    for _attempt in range(5):
        if connection.features.has_select_for_update_skip_locked:
            candidate = queue.select_for_update(skip_locked=True, of=("self",)).first()
        else:  # SQLite: one writer at a time, the conditional UPDATE below is enough
            candidate = queue.first()
        if candidate is None:
            return None
        taken = Ticket.objects.filter(pk=candidate.pk, state=State.WAITING).update(
            state=State.CALLED,
            counter=counter,
            served_by=actor,
            called_at=now,
            wait_seconds=max(0, int((now - candidate.queued_at).total_seconds())),
        )
        if taken:
            ticket = Ticket.objects.select_related("counter", "service").get(pk=candidate.pk)
            _publish(ticket, "called")
            return ticket
    raise Conflict(_("Hệ thống đang bận, vui lòng thử lại."), code="busy")


def _locked(ticket: Ticket, counter: Counter, states: tuple[str, ...]) -> Ticket:
    row = (
        Ticket.objects.select_for_update()
        .select_related("counter", "service")
        .filter(pk=ticket.pk, counter=counter)
        .first()
    )
    if row is None:
        raise NotFound(_("Không tìm thấy phiếu ở quầy này."))
    if row.state not in states:
        raise Conflict(
            _("Phiếu %(n)s đang ở trạng thái “%(s)s”.")
            % {"n": row.number, "s": State(row.state).label},
            code="bad_ticket_state",
        )
    return row


@transaction.atomic
def recall(*, ticket: Ticket, counter: Counter, actor: User | None) -> Ticket:
    """Call the same number again (the display flashes it once more)."""
    row = _locked(ticket, counter, (State.CALLED,))
    row.recalls += 1
    row.save(update_fields=["recalls"])
    _publish(row, "recalled")
    return row


@transaction.atomic
def start_serving(*, ticket: Ticket, counter: Counter, actor: User | None) -> Ticket:
    row = _locked(ticket, counter, (State.CALLED,))
    row.state = State.SERVING
    row.serving_at = timezone.now()
    row.served_by = actor
    row.save(update_fields=["state", "serving_at", "served_by"])
    _publish(row, "serving")
    return row


def _end(row: Ticket, state: str) -> None:
    now = timezone.now()
    row.state = state
    row.ended_at = now
    if row.serving_at:
        row.service_seconds = max(0, int((now - row.serving_at).total_seconds()))
    row.save(update_fields=["state", "ended_at", "service_seconds"])


@transaction.atomic
def finish(*, ticket: Ticket, counter: Counter, actor: User | None) -> Ticket:
    """The customer was served (a called ticket counts as served from now: zero service)."""
    row = _locked(ticket, counter, (State.CALLED, State.SERVING))
    if row.serving_at is None:
        row.serving_at = timezone.now()
        row.save(update_fields=["serving_at"])
    _end(row, State.DONE)
    _publish(row, "done")
    _visit_completed(row, actor)
    return row


def _visit_completed(row: Ticket, actor: User | None) -> None:
    """Hook counter_visit_completed (cx rates the counter touchpoint) once the visit is served
    and its customer known; fired again when the customer is only learnt at logging time (cx
    keys the survey on the ticket: one per visit)."""
    if row.state != State.DONE or row.customer_id is None:
        return
    hooks.run(
        "counter_visit_completed",
        visit_id=row.pk,
        customer_id=row.customer_id,
        office_id=row.office.unit_id,
        agent_id=actor.pk if actor is not None else None,
        case_type_id=row.case.case_type_id if row.case is not None else None,
    )


@transaction.atomic
def no_show(*, ticket: Ticket, counter: Counter, actor: User | None) -> Ticket:
    row = _locked(ticket, counter, (State.CALLED,))
    _end(row, State.NO_SHOW)
    _publish(row, "no_show")
    return row


@transaction.atomic
def transfer(
    *,
    ticket: Ticket,
    counter: Counter,
    actor: User | None,
    to_service: Service | None = None,
    to_counter: Counter | None = None,
) -> Ticket:
    """Send the customer to another service and/or a named counter of the same office. The
    ticket keeps its number and its place (queued_at): the customer does not queue again."""
    row = _locked(ticket, counter, (State.CALLED, State.SERVING))
    if to_service is None and to_counter is None:
        raise DomainError(_("Chọn dịch vụ hoặc quầy cần chuyển đến."), code="missing_target")
    for target in (to_service, to_counter):
        if target is not None and target.office_id != row.office_id:
            raise NotFound(_("Không tìm thấy quầy hoặc dịch vụ ở phòng giao dịch này."))
    if to_counter is not None and to_counter.pk == counter.pk:
        raise DomainError(_("Không thể chuyển về chính quầy này."), code="same_counter")
    service = to_service or row.service
    if to_counter is not None and not to_counter.services.filter(pk=service.pk).exists():
        raise DomainError(
            _("Quầy %(c)s không phục vụ dịch vụ “%(s)s”.")
            % {"c": to_counter.number, "s": service.name},
            code="counter_lacks_service",
        )
    _end(row, State.TRANSFERRED)
    moved = Ticket.objects.create(
        office_id=row.office_id,
        service=service,
        day=row.day,
        number=row.number,
        phone=row.phone,
        customer_id=row.customer_id,
        slot_start=row.slot_start,
        target_counter=to_counter,
        transferred_from=row,
        issued_at=row.issued_at,
        queued_at=row.queued_at,
        case_id=row.case_id,
        interaction_id=row.interaction_id,
    )
    audit.record(
        actor=actor,
        action="counters.transfer",
        obj=row,
        changes={"to_service": service.letter, "to_counter": getattr(to_counter, "number", None)},
    )
    _publish(row, "transferred")
    return moved


@transaction.atomic
def log_visit(
    *,
    ticket: Ticket,
    counter: Counter,
    actor: User,
    kind: str,
    description: str,
    type_code: str = "",
    phone: str = "",
    full_name: str = "",
    resolved: bool = False,
) -> Ticket:
    """Record the visit with channel ``counter``: as a case (``kind="case"``, through
    cases.open_case, optionally resolved at the counter) or as a contact only (an
    interaction). The customer is the ticket's, else found by phone, else created from the
    name and phone given (a case needs a customer; a contact does not)."""
    row = _locked(ticket, counter, (State.CALLED, State.SERVING, State.DONE))
    if kind not in ("case", "contact"):
        raise DomainError(_("Chọn ghi yêu cầu hay ghi tiếp xúc."), code="bad_kind")
    e164 = _phone(phone) or row.phone
    customer = row.customer or _customer_for(e164)
    if customer is None and full_name.strip() and e164:
        from cskh.customers.services import create_customer

        customer = create_customer(full_name=full_name, phones=[e164], actor=actor)
    now = timezone.now()
    interaction = row.interaction
    if interaction is None:
        interaction = case_services.record_interaction(
            channel=Channel.COUNTER,
            customer=customer,
            agent=actor,
            external_id=f"ticket:{row.pk}",
            from_address=e164,
            to_address=f"{row.office.code}/{counter.number}",
            state=Interaction.State.ENDED,
            started_at=row.called_at or now,
            summary=description.strip()[:2000],
        )
    if kind == "case":
        if customer is None:
            raise DomainError(
                _("Cần số điện thoại của khách (và họ tên nếu là khách mới) để ghi yêu cầu."),
                code="missing_customer",
            )
        if not type_code:
            raise DomainError(_("Chưa chọn loại yêu cầu."), code="missing_type")
        case = case_services.open_case(
            customer=customer,
            case_type=get_case_type(type_code),
            description=description,
            channel=Channel.COUNTER,
            actor=actor,
            interaction=interaction,
            resolved_on_call=resolved,
            resolution=_("Đã giải quyết tại quầy giao dịch.") if resolved else "",
        )
        row.case = case
    elif not description.strip():
        raise DomainError(_("Thiếu nội dung tiếp xúc."), code="missing_text")
    row.interaction = interaction
    if customer is not None and row.customer_id is None:
        row.customer = customer
    row.phone = row.phone or e164
    row.save(update_fields=["case", "interaction", "customer", "phone"])
    _visit_completed(row, actor)
    return row


# --------------------------------------------------------------------------- appointments


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))


@transaction.atomic
def book_appointment(
    *,
    service: Service,
    start: datetime,
    full_name: str,
    phone: str,
    client_ip: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book one place in a slot of a service (the public page /dat-lich/, later the customer
    portal). Rate-limited per phone and per client address; capacity is enforced by a
    conditional UPDATE on the slot's row, so two customers never take the last place both.
    The booking code goes to the phone by SMS through the notify outbox."""
    from cskh.counters.selectors import slot_is_offered

    now = now or timezone.now()
    full_name = " ".join((full_name or "").split())[:200]
    if not full_name:
        raise DomainError(_("Vui lòng nhập họ tên."), code="missing_name")
    e164 = _phone(phone)
    if not e164:
        raise DomainError(_("Vui lòng nhập số điện thoại."), code="missing_phone")
    limits = settings.CSKH_COUNTER_BOOKING_LIMITS
    ratelimit.hit("booking_phone", e164, limit=limits["phone_per_day"], window=86400)
    if client_ip:
        ratelimit.hit("booking_ip", client_ip, limit=limits["ip_per_hour"], window=3600)
    office = service.office
    if not (service.bookable and service.is_active and office.is_active):
        raise NotFound(_("Dịch vụ này không nhận đặt lịch."))
    if not slot_is_offered(service=service, start=start, now=now):
        raise DomainError(_("Khung giờ này không còn nhận đặt lịch."), code="bad_slot")
    if Appointment.objects.filter(
        service=service, start=start, phone=e164, status=Appointment.Status.BOOKED
    ).exists():
        raise Conflict(_("Số điện thoại này đã đặt khung giờ này."), code="already_booked")
    SlotLoad.objects.get_or_create(service=service, start=start)
    taken = SlotLoad.objects.filter(
        service=service, start=start, booked__lt=service.slot_capacity
    ).update(booked=F("booked") + 1)
    if not taken:
        raise Conflict(_("Khung giờ này vừa hết chỗ, vui lòng chọn giờ khác."), code="slot_full")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                appt = Appointment.objects.create(
                    code=_new_code(),
                    office=office,
                    service=service,
                    start=start,
                    end=start + timedelta(minutes=office.slot_minutes),
                    full_name=full_name,
                    phone=e164,
                    customer=_customer_for(e164),
                    created_at=now,
                )
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(_("Hệ thống đang bận, vui lòng thử lại."), code="busy")
    _send_confirmation(appt)
    return appt


def _send_confirmation(appt: Appointment) -> None:
    from cskh.notify.services import queue_text

    local = timezone.localtime(appt.start)
    body = _(
        "%(office)s: lich hen %(service)s luc %(time)s ngay %(day)s. Ma dat lich: %(code)s. "
        "Den quay, nhap ma tai may lay so."
    ) % {
        "office": appt.office.name,
        "service": appt.service.name,
        "time": local.strftime("%H:%M"),
        "day": local.strftime("%d/%m/%Y"),
        "code": appt.code,
    }
    queue_text(
        channel="sms",
        to=appt.phone,
        body=body,
        dedupe_key=f"counters:appointment:{appt.code}",
        customer=appt.customer,
        template="counter_appointment",
    )


@transaction.atomic
def cancel_appointment(*, appointment: Appointment) -> Appointment:
    row = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if row.status != Appointment.Status.BOOKED:
        raise Conflict(_("Lịch hẹn không còn hiệu lực."), code="not_booked")
    row.status = Appointment.Status.CANCELLED
    row.save(update_fields=["status"])
    SlotLoad.objects.filter(service_id=row.service_id, start=row.start, booked__gt=0).update(
        booked=F("booked") - 1
    )
    return row


@transaction.atomic
def check_in(*, office: Office, code: str = "", phone: str = "") -> Ticket:
    """At the kiosk: the booking code (or the phone that booked) gives a ticket that is served
    in its slot. Today's booking only; checking in twice gives the same ticket."""
    now = timezone.now()
    today = timezone.localdate(now)
    qs = Appointment.objects.select_for_update().filter(
        office=office,
        start__date=today,
        status__in=(Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN),
    )
    code = (code or "").strip().upper()
    if code:
        qs = qs.filter(code=code)
    else:
        e164 = _phone(phone)
        if not e164:
            raise DomainError(_("Nhập mã đặt lịch hoặc số điện thoại."), code="missing_code")
        qs = qs.filter(phone=e164)
    appt = qs.order_by("start").first()
    if appt is None:
        raise NotFound(_("Không tìm thấy lịch hẹn hôm nay với mã hoặc số điện thoại này."))
    existing = Ticket.objects.filter(appointment=appt).first()
    if existing is not None:
        return existing
    ticket = issue_ticket(
        office=office, service=appt.service, phone=appt.phone, appointment=appt, at=now
    )
    appt.status = Appointment.Status.CHECKED_IN
    appt.save(update_fields=["status"])
    return ticket


def display_phone(e164: str) -> str:
    return phone_display(e164) if e164 else ""
