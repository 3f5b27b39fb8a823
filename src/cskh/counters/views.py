"""Pages of the transaction offices: the public kiosk, display board (live over SSE) and
booking page (no login, rate-limited), the counter staff's page and the figures page."""

from __future__ import annotations

from datetime import date
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.core import live, ratelimit
from cskh.core.charts import line_chart
from cskh.core.errors import DomainError
from cskh.counters import selectors, services
from cskh.counters.models import Counter, Service, Ticket
from cskh.org import permissions


def _public_guard(request: HttpRequest) -> HttpResponse | None:
    try:
        ratelimit.hit("public", ratelimit.client_ip(request))
    except ratelimit.RateLimited as exc:
        return render(request, "counters/message.html", {"message": exc.message}, status=429)
    return None


# --------------------------------------------------------------------------- kiosk


@login_not_required
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """Touch kiosk: a big button per service (optional phone), or a booking code."""
    office = selectors.public_office(code)
    services_ = list(selectors.services_of(office))
    ctx: dict[str, Any] = {"office": office, "services": services_}
    if request.method == "POST":
        limited = _public_guard(request)
        if limited:
            return limited
        try:
            if request.POST.get("action") == "checkin":
                ticket = services.check_in(
                    office=office,
                    code=request.POST.get("code", ""),
                    phone=request.POST.get("phone", ""),
                )
            else:
                service = next(
                    (s for s in services_ if str(s.pk) == request.POST.get("service")), None
                )
                if service is None:
                    raise DomainError(_("Vui lòng chọn dịch vụ."), code="missing_service")
                ticket = services.issue_ticket(
                    office=office, service=service, phone=request.POST.get("phone", "")
                )
        except DomainError as exc:
            ctx["error"] = exc.message
            return render(request, "counters/kiosk.html", ctx, status=exc.status)
        ahead = Ticket.objects.filter(
            office=office,
            day=ticket.day,
            service=ticket.service,
            state=Ticket.State.WAITING,
            queued_at__lt=ticket.queued_at,
        ).count()
        return render(
            request, "counters/kiosk_ticket.html", ctx | {"ticket": ticket, "ahead": ahead}
        )
    return render(request, "counters/kiosk.html", ctx)


# --------------------------------------------------------------------------- display


@login_not_required
def display(request: HttpRequest, code: str) -> HttpResponse:
    office = selectors.public_office(code)
    return render(
        request, "counters/display.html", {"office": office, "board": selectors.board(office)}
    )


@login_not_required
def display_board(request: HttpRequest, code: str) -> HttpResponse:
    office = selectors.public_office(code)
    return render(
        request,
        "counters/_board.html",
        {"office": office, "board": selectors.board(office)},
    )


@login_not_required
async def display_live(request: HttpRequest, code: str) -> StreamingHttpResponse:
    """Server-Sent Events of one office (ticket issued, called, recalled, done): public like
    the board itself, carrying only ticket and counter numbers."""
    office = await sync_to_async(selectors.public_office)(code)
    channels = [services.office_channel(office.pk)]
    return live.event_stream(request, channels)


# --------------------------------------------------------------------------- booking


@login_not_required
def booking(request: HttpRequest) -> HttpResponse:
    """/dat-lich/: office → service → a free slot → name and phone. Works without
    JavaScript (each choice is a GET form)."""
    offices = list(selectors.public_offices())
    office = next((o for o in offices if o.code == request.GET.get("office")), None)
    service = None
    slots: list[dict[str, Any]] = []
    services_: list[Service] = []
    if office is not None:
        services_ = list(selectors.services_of(office, bookable=True))
        service = next((s for s in services_ if str(s.pk) == request.GET.get("service")), None)
        if service is not None:
            slots = selectors.free_slots(service=service)
    ctx: dict[str, Any] = {
        "offices": offices,
        "office": office,
        "services": services_,
        "service": service,
        "days": _by_day(slots),
    }
    if request.method == "POST":
        limited = _public_guard(request)
        if limited:
            return limited
        service = (
            Service.objects.filter(
                pk=_int(request.POST.get("service")) or 0, office__is_active=True
            )
            .select_related("office")
            .first()
        )
        start = parse_datetime(request.POST.get("start", ""))
        try:
            if service is None or start is None:
                raise DomainError(_("Vui lòng chọn dịch vụ và khung giờ."), code="missing_slot")
            appt = services.book_appointment(
                service=service,
                start=start,
                full_name=request.POST.get("full_name", ""),
                phone=request.POST.get("phone", ""),
                client_ip=ratelimit.client_ip(request),
            )
        except DomainError as exc:
            ctx.update({"error": exc.message, "form": request.POST})
            return render(request, "counters/booking.html", ctx, status=exc.status)
        return render(request, "counters/booking_done.html", {"appointment": appt})
    return render(request, "counters/booking.html", ctx)


def _by_day(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    days: dict[date, list[dict[str, Any]]] = {}
    for s in slots:
        local = timezone.localtime(s["start"])
        days.setdefault(local.date(), []).append(s | {"local": local})
    return [{"day": d, "slots": v} for d, v in days.items()]


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- staff


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def staff_home(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_use_counters(request.user))
    offices = list(selectors.offices_for(request.user).prefetch_related("counters"))
    return render(request, "counters/staff_home.html", {"offices": offices, "nav": "counters"})


def counter_page(request: HttpRequest, code: str, number: int) -> HttpResponse:
    counter = selectors.counter_for_user(request.user, code, number)
    state = selectors.counter_state(counter)
    current = state["current"]
    from cskh.catalog.models import CaseType

    return render(
        request,
        "counters/counter.html",
        {
            "counter": counter,
            "office": counter.office,
            "state": state,
            "card": selectors.customer_card(current) if current else None,
            "board": selectors.board(counter.office),
            "other_counters": Counter.objects.filter(office=counter.office, is_active=True)
            .exclude(pk=counter.pk)
            .order_by("number"),
            "office_services": selectors.services_of(counter.office),
            "case_types": CaseType.objects.filter(is_active=True).order_by("name"),
            "nav": "counters",
        },
    )


ACTIONS = ("next", "recall", "start", "finish", "no-show", "transfer", "log")


@require_POST
def counter_action(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    counter = selectors.counter_for_user(request.user, code, number)
    if action not in ACTIONS:
        raise Http404
    user = request.user
    url = reverse("counters:counter", args=[code, number])
    try:
        if action == "next":
            ticket = services.call_next(counter=counter, actor=user)  # type: ignore[arg-type]
            if ticket is None:
                messages.info(request, _("Không còn khách chờ."))
            return redirect(url)
        ticket = Ticket.objects.filter(
            pk=_int(request.POST.get("ticket")) or 0, counter=counter
        ).first()
        if ticket is None:
            raise Http404
        if action == "recall":
            services.recall(ticket=ticket, counter=counter, actor=user)  # type: ignore[arg-type]
        elif action == "start":
            services.start_serving(ticket=ticket, counter=counter, actor=user)  # type: ignore[arg-type]
        elif action == "finish":
            services.finish(ticket=ticket, counter=counter, actor=user)  # type: ignore[arg-type]
        elif action == "no-show":
            services.no_show(ticket=ticket, counter=counter, actor=user)  # type: ignore[arg-type]
        elif action == "transfer":
            to_service = Service.objects.filter(
                pk=_int(request.POST.get("to_service")) or 0, office=counter.office
            ).first()
            to_counter = Counter.objects.filter(
                pk=_int(request.POST.get("to_counter")) or 0, office=counter.office
            ).first()
            moved = services.transfer(
                ticket=ticket,
                counter=counter,
                actor=user,  # type: ignore[arg-type]
                to_service=to_service,
                to_counter=to_counter,
            )
            messages.success(request, _("Đã chuyển phiếu %(n)s.") % {"n": moved.number})
        elif action == "log":
            row = services.log_visit(
                ticket=ticket,
                counter=counter,
                actor=user,  # type: ignore[arg-type]
                kind=request.POST.get("kind", "contact"),
                description=request.POST.get("description", ""),
                type_code=request.POST.get("type", ""),
                phone=request.POST.get("phone", ""),
                full_name=request.POST.get("full_name", ""),
                resolved=request.POST.get("resolved") in ("on", "1", "true"),
            )
            if row.case is not None:
                messages.success(
                    request, _("Đã ghi yêu cầu %(n)s (kênh quầy).") % {"n": row.case.number}
                )
            else:
                messages.success(request, _("Đã ghi tiếp xúc tại quầy."))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    return redirect(url)


# --------------------------------------------------------------------------- figures


def _date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def figures_page(request: HttpRequest) -> HttpResponse:
    _require(permissions.can_view_counter_figures(request.user))
    offices = list(selectors.figure_offices_for(request.user))
    chosen = [o for o in offices if o.code == request.GET.get("office")] or offices
    d_from, d_to = selectors.default_range(timezone.localdate())
    start = _date(request.GET.get("from"), d_from)
    end = _date(request.GET.get("to"), d_to)
    group_by = request.GET.get("group_by", "office")
    group_by = group_by if group_by in ("office", "counter", "service") else "office"
    rows = selectors.figures(offices=chosen, start=start, end=end, group_by=group_by)
    hours = selectors.figures(offices=chosen, start=start, end=end, group_by="hour")
    m, y = end.month - 11, end.year
    if m <= 0:
        m, y = m + 12, y - 1
    months = selectors.figures(offices=chosen, start=date(y, m, 1), end=end, group_by="month")

    def chart(items: list[dict[str, Any]]) -> dict[str, Any]:
        top = max([r["wait_p90"] or 0 for r in items] + [1.0])
        return line_chart(
            items, lo=0.0, hi=float(top), value="wait_median", band=("wait_median", "wait_p90")
        )

    return render(
        request,
        "counters/figures.html",
        {
            "offices": offices,
            "office_code": request.GET.get("office", ""),
            "start": start,
            "end": end,
            "group_by": group_by,
            "rows": rows,
            "hours": hours,
            "months": months,
            "hour_chart": chart(hours),
            "month_chart": chart(months),
            "nav": "counter_figures",
        },
    )
