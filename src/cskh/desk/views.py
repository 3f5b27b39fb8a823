"""The agent desk (server-rendered, HTMX) and the shift lead view."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cskh.cases import selectors as case_selectors
from cskh.cases import services as case_services
from cskh.cases import states
from cskh.cases.models import CaseEvent, CaseLink, Channel, Interaction
from cskh.catalog.models import Priority
from cskh.core import live
from cskh.core.errors import DomainError
from cskh.core.phones import try_e164
from cskh.customers import selectors as customer_selectors
from cskh.desk import selectors, services
from cskh.geo.address import WardChoiceNeeded
from cskh.org import permissions
from cskh.org.models import Unit, User
from cskh.privacy import services as privacy_services
from cskh.privacy.models import AccessLog
from cskh.social import selectors as social_selectors
from cskh.telephony import selectors as tel_selectors
from cskh.telephony import services as tel_services
from cskh.telephony.models import (
    BreakReason,
    CallbackTask,
    CallOutcome,
    Presence,
    ScheduledCallback,
)
from cskh.training import selectors as training_selectors


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
        channels.append("social")  # crisis alerts of social listening
    return live.event_stream(request, channels)


# --------------------------------------------------------------------------- desk


def _presence_context(user) -> dict:
    """The presence control: state (break reasons as "break:<reason>" choices), since when,
    and the after-call work limit the desk counts down."""
    p = tel_selectors.presence_of(user)
    state = p.state if p else Presence.OFFLINE
    choices: list[tuple[str, str]] = []
    for value, label in Presence.choices:
        if value == Presence.BREAK:
            choices += [(f"break:{r}", f"{label} — {rlabel}") for r, rlabel in BreakReason.choices]
        else:
            choices.append((value, str(label)))
    selected = f"break:{p.reason or BreakReason.OTHER}" if state == Presence.BREAK and p else state
    return {
        "presence": state,
        "presence_value": selected,
        "presence_since": p.since if p else None,
        "presence_choices": choices,
        "acw_seconds": tel_services.acw_seconds(),
        "wrapup_interaction": (
            p.interaction if p and state == Presence.AFTER_CALL_WORK and p.interaction else None
        ),
        "outcomes": CallOutcome.choices,
    }


def _desk_context(request) -> dict:
    types = selectors.case_types()
    return {
        "case_types": types,
        "picker_types": selectors.picker_types(types),
        "priorities": Priority.choices,
        # the contact's channel on the logging form: the hotline by default; a counter
        # officer, a letter, an e-mail or a message logged by hand choose theirs
        "log_channels": [(c.value, c.label) for c in Channel if c != Channel.API],
        # Idempotency-Key of this rendering of the logging form: a resent request (a retry
        # after a lost answer) gets the first answer back instead of a second case; every
        # new rendering (after a success or an error) carries a new key
        "log_key": uuid.uuid4().hex,
        **_presence_context(request.user),
    }


def home(request):
    _center_only(request.user)
    ctx = _desk_context(request)
    # training: knowledge changes this agent must still read and confirm (badge)
    ctx["training_unread"] = training_selectors.unread_for(request.user)
    customer = customer_selectors.get(_int(request.GET.get("customer")) or 0)
    interaction = selectors.current_interaction(request.user)
    if customer is not None:
        ctx.update({"mode": "card", "interaction": None})
        ctx.update(selectors.card(customer, user=request.user))
    elif interaction is not None:
        ctx.update(_pop_context(request, interaction))
    else:
        ctx.update(selectors.idle(request.user))
    return render(request, "desk/home.html", ctx)


def idle(request):
    """The idle desk's panel alone (the page reloads it when a call ends)."""
    _center_only(request.user)
    return render(request, "desk/_idle.html", selectors.idle(request.user))


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


def _log_card(request, ctx: dict) -> None:
    """Audit of reads (cskh.privacy): the agent opened this customer's card."""
    customer = ctx.get("customer")
    if ctx.get("mode") == "card" and customer is not None:
        privacy_services.record_access(
            user=request.user, customer_id=customer.pk, action=AccessLog.Action.CARD
        )


@never_cache
def pop(request, interaction_id: int):
    """The screen pop: card, pick list or quick-create form for a call."""
    _center_only(request.user)
    interaction = _get_interaction(request, interaction_id)
    ctx = _desk_context(request) | _pop_context(request, interaction)
    _log_card(request, ctx)
    return render(request, "desk/_pop.html", ctx)


@never_cache
def customer_card(request, customer_id: int):
    _center_only(request.user)
    customer = customer_selectors.get(customer_id)
    if customer is None:
        raise Http404
    privacy_services.record_access(
        user=request.user, customer_id=customer.pk, action=AccessLog.Action.CARD
    )
    interaction = None
    if request.GET.get("interaction"):
        interaction = _get_interaction(request, request.GET["interaction"])
    ctx = _desk_context(request) | selectors.card(customer, user=request.user)
    ctx.update({"mode": "card", "interaction": interaction})
    return render(request, "desk/_pop.html", ctx)


@never_cache
def card_cases(request, customer_id: int):
    """The card's case list alone: refreshed after a case is logged (HX-Trigger caseLogged)."""
    _center_only(request.user)
    customer = customer_selectors.get(customer_id)
    if customer is None:
        raise Http404
    return render(
        request, "desk/_card_cases.html", selectors.card_cases(customer, user=request.user)
    )


@never_cache
def find_customer(request):
    """Manual lookup from the desk (phone or customer/meter code). The desk's search box
    POSTs it, so a searched phone number stays out of URLs, proxy and access logs; GET is
    still answered for links and scripts written before."""
    _center_only(request.user)
    source = request.POST if request.method == "POST" else request.GET
    q = (source.get("q") or "").strip()
    matches = customer_selectors.find_by_phone(q) if q else []
    by_phone = bool(matches)
    searched_phone = try_e164(q) if q else None
    if searched_phone:  # audit of reads: who searched which phone, and whose data it showed
        privacy_services.record_accesses(
            user=request.user,
            customer_ids=[m.pk for m in matches] or [None],
            action=AccessLog.Action.SEARCH,
            detail=searched_phone,
        )
    if not matches and q:
        by_code = customer_selectors.find_by_code(q)
        matches = [by_code] if by_code else customer_selectors.search_simple(q, limit=9)
    looks_like_phone = sum(ch.isdigit() for ch in q) >= 8
    ctx = _desk_context(request) | {"interaction": None, "new_phone": q if looks_like_phone else ""}
    if not by_phone:
        ctx["searched"] = q  # the pick list says "match “q”", not "use this number"
    if len(matches) == 1:
        ctx.update({"mode": "card"} | selectors.card(matches[0], user=request.user))
    elif matches:
        ctx.update({"mode": "pick", "matches": matches[:9]})
    else:
        ctx["mode"] = "new"
    if not by_phone:
        _log_card(request, ctx)  # a card opened by code or name (a phone search is logged)
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
            ward_code=_int(request.POST.get("ward_code")),
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
        if isinstance(exc, WardChoiceNeeded):  # the agent picks: desk/_ward_choice.html
            ctx["ward_choice"] = exc.resolution.candidates
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
            service_point_code=request.POST.get("service_point", ""),
        )
    except DomainError as exc:
        ctx.update({"error": str(exc.message), "form": request.POST})
        return render(request, "desk/_log_form.html", ctx)
    ctx["logged"] = case
    response = render(request, "desk/_log_form.html", ctx)
    response["HX-Trigger"] = "caseLogged"  # the card's case list refreshes itself
    return response


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
    state, _sep, reason = request.POST.get("state", "").partition(":")
    try:
        tel_services.set_presence(user=request.user, state=state, reason=reason)
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400)
    if request.headers.get("HX-Request"):
        return render(request, "desk/_presence.html", _presence_context(request.user))
    nxt = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        nxt = reverse("desk:home")  # never send the agent to another site (open redirect)
    return redirect(nxt)


def wrapup_form(request):
    """The wrap-up form of the agent's last ended call (fetched when a call ends)."""
    _center_only(request.user)
    return render(request, "desk/_wrapup.html", _presence_context(request.user))


@require_POST
def wrapup(request):
    """Outcome code of the call; ends after-call work (the agent is ready again)."""
    _center_only(request.user)
    interaction = _get_interaction(request, request.POST.get("interaction") or 0)
    try:
        tel_services.wrap_up_call(
            user=request.user,
            interaction=interaction,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        if not request.headers.get("HX-Request"):
            messages.error(request, exc.message)
            return redirect("desk:home")
        ctx = _presence_context(request.user) | {"error": str(exc.message)}
        return render(request, "desk/_wrapup.html", ctx)
    if not request.headers.get("HX-Request"):
        # the form also works before HTMX has taken it over (a key pressed right as it appears)
        messages.success(
            request, _("Đã lưu kết quả cuộc gọi — sẵn sàng nhận cuộc gọi."), extra_tags="wrapped"
        )
        return redirect("desk:home")
    return render(request, "desk/_wrapup.html", {"done": True})


@require_POST
def click_to_call(request):
    """Dial a number from the desk through the PBX (the agent's extension rings first)."""
    _center_only(request.user)
    customer = customer_selectors.get(_int(request.POST.get("customer")) or 0)
    try:
        call_id = tel_services.click_to_call(
            user=request.user, number=request.POST.get("number", ""), customer=customer
        )
    except DomainError as exc:
        return render(request, "desk/_dial.html", {"error": str(exc.message)})
    return render(
        request, "desk/_dial.html", {"call_id": call_id, "number": request.POST.get("number")}
    )


@require_POST
def schedule_callback(request):
    """A callback at the time the customer chose (form on the card)."""
    _center_only(request.user)
    customer = customer_selectors.get(_int(request.POST.get("customer")) or 0)
    if customer is None:
        raise Http404
    ctx: dict[str, Any] = {"customer": customer}
    raw = (request.POST.get("due_at") or "").strip()
    try:
        due = datetime.strptime(raw, "%Y-%m-%dT%H:%M")
    except ValueError:
        ctx["cb_error"] = _("Nhập ngày giờ hẹn gọi lại (ngày/tháng/năm giờ:phút).")
        return render(request, "desk/_callback_form.html", ctx)
    try:
        ctx["scheduled"] = tel_services.schedule_callback(
            actor=request.user,
            customer=customer,
            due_at=timezone.make_aware(due),
            phone=request.POST.get("phone", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        ctx["cb_error"] = str(exc.message)
    return render(request, "desk/_callback_form.html", ctx)


@require_POST
def scheduled_callback_done(request, callback_id: int):
    _center_only(request.user)
    row = get_object_or_404(ScheduledCallback, pk=callback_id, agent=request.user)
    tel_services.finish_scheduled_callback(
        callback=row, actor=request.user, cancelled=request.POST.get("cancel") == "1"
    )
    return redirect(reverse("desk:home"))


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
    ("mine", gettext_noop("Của tôi")),
    ("team", gettext_noop("Tổ của tôi")),
    ("unassigned", gettext_noop("Chưa phân công")),
    ("due", gettext_noop("Sắp đến hạn")),
    ("overdue", gettext_noop("Quá hạn")),
    ("logged", gettext_noop("Tôi đã ghi")),
    ("callbacks", gettext_noop("Gọi lại")),
    ("all", gettext_noop("Tất cả")),
]


def queue(request):
    _center_only(request.user)
    view = request.GET.get("view", "mine")
    if view not in dict(QUEUE_TABS):
        view = "mine"
    cursor = request.GET.get("cursor") or None
    f = {k: (request.GET.get(k) or "").strip() for k in ("status", "type", "unit", "channel")}
    f["from"], f["to"] = request.GET.get("from", ""), request.GET.get("to", "")
    sort = request.GET.get("sort", "")
    sort = sort if sort in selectors.SORTS else ""
    counts = selectors.tab_counts(request.user)
    ctx = {
        "tabs": [(k, _(v), counts.get(k)) for k, v in QUEUE_TABS],
        "view": view,
        "sort": sort,
        "sorts": [
            ("", _("Mặc định")),
            ("new", _("Mới nhất")),
            ("old", _("Cũ nhất")),
            ("due", _("Hạn gần nhất")),
            ("priority", _("Ưu tiên cao trước")),
        ],
        "can_bulk_assign": permissions.can_supervise(request.user),
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
                sort=sort,
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
    if ctx["can_bulk_assign"] and view != "callbacks":
        ctx["agents"] = _assignable_agents()
    return render(request, "desk/queue.html", ctx)


def _assignable_agents() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=permissions.CALL_TAKER_ROLES).order_by(
            "last_name", "first_name", "username"
        )[:200]
    )


BULK_MAX = 100


@require_POST
def queue_assign(request):
    """Shift leads assign the ticked cases of a queue page to one agent at once."""
    if not permissions.can_supervise(request.user):
        raise PermissionDenied
    numbers = [n.strip() for n in request.POST.getlist("case") if n.strip()][:BULK_MAX]
    agent = User.objects.filter(
        pk=_int(request.POST.get("agent")) or 0,
        is_active=True,
        role__in=permissions.CALL_TAKER_ROLES,
    ).first()
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("desk:queue")
    if agent is None or not numbers:
        messages.error(request, _("Chọn ít nhất một yêu cầu và một tư vấn viên."))
        return redirect(back)
    done, failed = services.bulk_assign(actor=request.user, numbers=numbers, agent=agent)
    if done:
        messages.success(
            request,
            _("Đã giao %(n)s yêu cầu cho %(a)s.") % {"n": done, "a": agent.display_name},
        )
    if failed:
        messages.error(request, _("Không giao được: %(l)s") % {"l": ", ".join(failed[:20])})
    return redirect(back)


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
    ctx["recordings"] = selectors.case_recordings(case)
    ctx["recording_by_id"] = {i.pk: i.recording_url for i in ctx["recordings"]}
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
                selectors.capped_count(visible.filter(selectors.due_soon_q(now))),
                "due",
            ),
            (
                _("Chờ gọi lại"),
                selectors.capped_count(tel_selectors.open_callbacks()),
                "callbacks",
            ),
        ],
        "now": now,
        "alerts": social_selectors.active_alerts(),
        "is_lead": permissions.can_supervise(request.user),
    }
