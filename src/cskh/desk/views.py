"""The agent desk (server-rendered, HTMX) and the shift lead view."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cskh.cases import selectors as case_selectors
from cskh.cases import services as case_services
from cskh.cases import states
from cskh.cases.models import CaseEvent, CaseLink, Channel, Interaction
from cskh.catalog.models import Priority
from cskh.core import live
from cskh.core.errors import DomainError
from cskh.customers import selectors as customer_selectors
from cskh.desk import selectors, services
from cskh.org import permissions
from cskh.org.models import Unit, User
from cskh.telephony import selectors as tel_selectors
from cskh.telephony import services as tel_services
from cskh.telephony.models import CallbackTask, Presence

SSE_MAX_SECONDS_ASGI = 30 * 60
SSE_MAX_SECONDS_WSGI = 60


def _center_only(user) -> None:
    """The desk is the center's: another role gets 403 for the whole page."""
    if not permissions.is_center_staff(user):
        raise PermissionDenied


# --------------------------------------------------------------------------- live (SSE)


async def live_stream(request):
    """Server-Sent Events for the logged-in user only: agent:<id> (+ presence for leads)."""
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=401)
    channels = [live.agent_channel(user)]
    if permissions.can_supervise(user):
        channels.append("presence")
    if isinstance(request, ASGIRequest):
        content = _astream(channels)
    else:  # threaded WSGI (tests, runserver): each stream holds a thread, so keep it short
        content = _stream(channels)
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


READY = "event: ready\ndata: {}\n\n"


async def _astream(channels):
    yield "retry: 1000\n\n"
    started = time.monotonic()
    ready = False
    async for item in live.subscribe(channels):
        if item is None and not ready:
            ready = True
            yield READY
            continue
        yield live.sse_format(item)
        if time.monotonic() - started > SSE_MAX_SECONDS_ASGI:
            break


def _stream(channels):
    from django.db import close_old_connections

    yield "retry: 1000\n\n"
    started = time.monotonic()
    ready = False
    try:
        for item in live.subscribe_sync(channels, heartbeat=2.0):
            if item is None and not ready:
                ready = True
                yield READY
                continue
            yield live.sse_format(item)
            if time.monotonic() - started > SSE_MAX_SECONDS_WSGI:
                break
    finally:
        try:
            close_old_connections()
        except Exception:  # the server is shutting down (or a test ended) under the stream
            pass


# --------------------------------------------------------------------------- desk


def _desk_context(request) -> dict:
    types = selectors.case_types()
    return {
        "case_types": types,
        "picker_types": selectors.picker_types(types),
        "priorities": Priority.choices,
        "presence": tel_selectors.presence_state(request.user),
        "presence_choices": Presence.choices,
    }


def home(request):
    _center_only(request.user)
    ctx = _desk_context(request)
    customer = customer_selectors.get(_int(request.GET.get("customer")) or 0)
    interaction = selectors.current_interaction(request.user)
    if customer is not None:
        ctx.update({"mode": "card", "interaction": None})
        ctx.update(selectors.card(customer, user=request.user))
    elif interaction is not None:
        ctx.update(_pop_context(request, interaction))
    return render(request, "desk/home.html", ctx)


def _pop_context(request, interaction: Interaction) -> dict:
    ctx: dict[str, Any] = {"interaction": interaction}
    if interaction.customer_id:
        customer = customer_selectors.get(interaction.customer_id)
        ctx["mode"] = "card"
        ctx.update(selectors.card(customer, user=request.user))
        return ctx
    matches = customer_selectors.find_by_phone(interaction.from_address)
    if len(matches) == 1:
        ctx["mode"] = "card"
        ctx.update(selectors.card(matches[0], user=request.user))
    elif matches:
        ctx["mode"] = "pick"
        ctx["matches"] = matches
    else:
        ctx["mode"] = "new"
    return ctx


def _get_interaction(request, interaction_id) -> Interaction:
    interaction = get_object_or_404(Interaction, pk=interaction_id)
    if interaction.agent_id != request.user.pk and not permissions.can_supervise(request.user):
        raise Http404  # another agent's call does not exist for this user
    return interaction


def pop(request, interaction_id: int):
    """The screen pop: card, pick list or quick-create form for a call."""
    _center_only(request.user)
    interaction = _get_interaction(request, interaction_id)
    ctx = _desk_context(request) | _pop_context(request, interaction)
    return render(request, "desk/_pop.html", ctx)


def customer_card(request, customer_id: int):
    _center_only(request.user)
    customer = customer_selectors.get(customer_id)
    if customer is None:
        raise Http404
    interaction = None
    if request.GET.get("interaction"):
        interaction = _get_interaction(request, request.GET["interaction"])
    ctx = _desk_context(request) | selectors.card(customer, user=request.user)
    ctx.update({"mode": "card", "interaction": interaction})
    return render(request, "desk/_pop.html", ctx)


def find_customer(request):
    """Manual lookup from the desk (phone or customer/meter code)."""
    _center_only(request.user)
    q = (request.GET.get("q") or "").strip()
    matches = customer_selectors.find_by_phone(q) if q else []
    if not matches and q:
        by_code = customer_selectors.find_by_code(q)
        matches = [by_code] if by_code else customer_selectors.search_simple(q, limit=9)
    ctx = _desk_context(request) | {"interaction": None, "new_phone": q}
    if len(matches) == 1:
        ctx.update({"mode": "card"} | selectors.card(matches[0], user=request.user))
    elif matches:
        ctx.update({"mode": "pick", "matches": matches[:9]})
    else:
        ctx["mode"] = "new"
    return render(request, "desk/_pop.html", ctx)


@require_POST
def customer_create(request):
    _center_only(request.user)
    interaction = None
    if request.POST.get("interaction"):
        interaction = _get_interaction(request, request.POST["interaction"])
    phone = request.POST.get("phone", "")
    try:
        customer = services.quick_create_customer(
            actor=request.user,
            full_name=request.POST.get("full_name", ""),
            phone=phone,
            address=request.POST.get("address", ""),
            interaction=interaction,
        )
    except DomainError as exc:
        ctx = _desk_context(request) | {
            "mode": "new",
            "interaction": interaction,
            "error": str(exc.message),
            "form": request.POST,
            "new_phone": phone,
        }
        return render(request, "desk/_pop.html", ctx)
    detailed = customer_selectors.get(customer.pk) or customer
    ctx = _desk_context(request) | selectors.card(detailed, user=request.user)
    ctx.update({"mode": "card", "interaction": interaction, "created": True})
    return render(request, "desk/_pop.html", ctx)


@require_POST
def log_case(request):
    """One-screen case logging (HTMX form on the card)."""
    _center_only(request.user)
    customer = customer_selectors.get(_int(request.POST.get("customer")) or 0)
    if customer is None:
        raise Http404
    interaction = None
    if request.POST.get("interaction"):
        interaction = _get_interaction(request, request.POST["interaction"])
    ctx = _desk_context(request) | {"customer": customer, "interaction": interaction}
    try:
        case = services.log_case_from_call(
            actor=request.user,
            customer=customer,
            type_code=request.POST.get("type", ""),
            description=request.POST.get("description", ""),
            priority=_int(request.POST.get("priority")),
            resolved_on_call=request.POST.get("resolved") in ("on", "1", "true"),
            reply=request.POST.get("reply", ""),
            interaction=interaction,
            channel=request.POST.get("channel") or Channel.PHONE,
        )
    except DomainError as exc:
        ctx.update({"error": str(exc.message), "form": request.POST})
        return render(request, "desk/_log_form.html", ctx)
    ctx["logged"] = case
    return render(request, "desk/_log_form.html", ctx)


def canned(request):
    """Canned answers for the chosen type, variables filled for this customer."""
    from cskh.knowledge import selectors as kb

    _center_only(request.user)
    customer = customer_selectors.get(_int(request.GET.get("customer")) or 0)
    answers = kb.canned_for(
        type_code=request.GET.get("type", ""), customer=customer, agent=request.user
    )
    articles = kb.suggested_for(type_code=request.GET.get("type", ""), limit=4)
    return render(request, "desk/_canned.html", {"answers": answers, "articles": articles})


def suggest(request):
    chip = selectors.suggest_case_type(request.GET.get("description", ""))
    return render(request, "desk/_suggest.html", {"chip": chip})


@require_POST
def presence(request):
    state = request.POST.get("state", "")
    try:
        tel_services.set_presence(user=request.user, state=state)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400)
    if request.headers.get("HX-Request"):
        ctx = {
            "presence": tel_selectors.presence_state(request.user),
            "presence_choices": Presence.choices,
        }
        return render(request, "desk/_presence.html", ctx)
    nxt = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        nxt = reverse("desk:home")  # never send the agent to another site (open redirect)
    return redirect(nxt)


# --------------------------------------------------------------------------- queues


def _date(value: str | None):
    if not value:
        return None
    try:
        return timezone.make_aware(datetime.strptime(value, "%Y-%m-%d"))
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


QUEUE_TABS = [
    ("mine", "Của tôi"),
    ("team", "Tổ của tôi"),
    ("unassigned", "Chưa phân công"),
    ("due", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("logged", "Tôi đã ghi"),
    ("callbacks", "Gọi lại"),
    ("all", "Tất cả"),
]


def queue(request):
    _center_only(request.user)
    view = request.GET.get("view", "mine")
    if view not in dict(QUEUE_TABS):
        view = "mine"
    cursor = request.GET.get("cursor") or None
    f = {k: (request.GET.get(k) or "").strip() for k in ("status", "type", "unit", "channel")}
    f["from"], f["to"] = request.GET.get("from", ""), request.GET.get("to", "")
    ctx = {
        "tabs": [(k, _(v)) for k, v in QUEUE_TABS],
        "view": view,
        "f": f,
        "statuses": states.Status.choices,
        "channels": Channel.choices,
        "case_types": selectors.case_types(),
        "units": list(Unit.objects.filter(is_active=True).only("code", "name")[:200]),
        "now": timezone.now(),
    }
    try:
        if view == "callbacks":
            rows, next_cursor = selectors.callbacks(cursor=cursor)
        else:
            to = _date(f["to"])
            rows, next_cursor = selectors.queue(
                request.user,
                view=view,
                status=f["status"] if f["status"] in states.Status.values else None,
                type_code=f["type"] or None,
                unit=f["unit"] or None,
                channel=f["channel"] or None,
                created_from=_date(f["from"]),
                created_to=to + timedelta(days=1) if to else None,
                cursor=cursor,
            )
    except DomainError as exc:
        rows, next_cursor = [], None
        ctx["error"] = str(exc.message)
    params = request.GET.copy()
    params.pop("cursor", None)
    ctx.update({"rows": rows, "next_cursor": next_cursor, "params": params.urlencode()})
    return render(request, "desk/queue.html", ctx)


@require_POST
def callback_done(request, task_id: int):
    _center_only(request.user)
    task = get_object_or_404(CallbackTask, pk=task_id)
    tel_services.complete_callback(task=task, actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, _("Đã đánh dấu gọi lại %(n)s.") % {"n": task.from_e164})
    return redirect(reverse("desk:queue") + "?view=callbacks")


# --------------------------------------------------------------------------- case page


def _case_or_404(request, number: str):
    try:
        return case_selectors.get_for_user(request.user, number)
    except DomainError as exc:
        raise Http404(str(exc.message)) from exc


def case_detail(request, number: str):
    _center_only(request.user)
    case = _case_or_404(request, number)
    ctx = {
        "case": case,
        "events": case_selectors.timeline(case),
        "transitions": [
            (s, states.Status(s).label)
            for s in states.Status.values
            if s in states.allowed(case.status)
        ],
        "agents": list(
            User.objects.filter(is_active=True, role__in=permissions.CALL_TAKER_ROLES).order_by(
                "username"
            )[:200]
        ),
        "units": list(Unit.objects.filter(is_active=True)[:200]),
        "links": list(CaseLink.objects.filter(from_case=case).select_related("to_case"))
        + list(CaseLink.objects.filter(to_case=case).select_related("from_case")),
        "link_kinds": CaseLink.Kind.choices,
        "kinds": CaseEvent.Kind,
        "now": timezone.now(),
    }
    return render(request, "desk/case.html", ctx)


def _case_action(request, number: str, fn):
    _center_only(request.user)
    case = _case_or_404(request, number)
    try:
        fn(case)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("desk:case", args=[case.number]))


@require_POST
def case_transition(request, number: str):
    return _case_action(
        request,
        number,
        lambda case: case_services.transition(
            case=case,
            to=request.POST.get("to", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
        ),
    )


@require_POST
def case_note(request, number: str):
    return _case_action(
        request,
        number,
        lambda case: case_services.add_note(
            case=case,
            body=request.POST.get("body", ""),
            public=request.POST.get("public") == "1",
            actor=request.user,
        ),
    )


@require_POST
def case_assign(request, number: str):
    def do(case):
        agent = User.objects.filter(pk=_int(request.POST.get("agent")) or 0).first()
        unit = Unit.objects.filter(pk=_int(request.POST.get("unit")) or 0).first()
        case_services.assign(
            case=case,
            agent=agent,
            unit=unit,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )

    return _case_action(request, number, do)


@require_POST
def case_link(request, number: str):
    def do(case):
        other_number = (request.POST.get("other") or "").strip().upper()
        other = case_selectors.get_for_user(request.user, other_number)
        case_services.link_cases(
            case=case, other=other, kind=request.POST.get("kind", "related"), actor=request.user
        )

    return _case_action(request, number, do)


# --------------------------------------------------------------------------- shift lead


def supervisor(request):
    if not permissions.can_supervise(request.user):
        raise PermissionDenied  # agents use the desk and queues, not the shift board
    ctx = _supervisor_context(request)
    if request.GET.get("part") == "agents":
        return render(request, "desk/_agents.html", ctx)
    return render(request, "desk/supervisor.html", ctx)


def _supervisor_context(request) -> dict:
    visible = case_selectors.visible_cases(request.user)
    now = timezone.now()
    return {
        "agents": tel_selectors.team_presence(),
        "overdue": selectors.overdue_cases(request.user),
        "counts": [
            (
                _("Chưa phân công"),
                selectors.capped_count(visible.filter(is_open=True, assigned_agent__isnull=True)),
                "unassigned",
            ),
            (
                _("Quá hạn"),
                selectors.capped_count(visible.filter(is_open=True, due_at__lt=now)),
                "overdue",
            ),
            (
                _("Sắp đến hạn (2 giờ)"),
                selectors.capped_count(
                    visible.filter(
                        is_open=True, due_at__gte=now, due_at__lte=now + selectors.DUE_SOON
                    )
                ),
                "due",
            ),
            (
                _("Chờ gọi lại"),
                selectors.capped_count(tel_selectors.open_callbacks()),
                "callbacks",
            ),
        ],
        "now": now,
        "is_lead": permissions.can_supervise(request.user),
    }
