"""Reads for the agent desk: the customer card, queues, optional helpers from other apps."""

from __future__ import annotations

import importlib.util
import logging
import threading
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cskh.cases.models import Case, Interaction
from cskh.cases.selectors import LIST_RELATED, visible_cases
from cskh.catalog.models import CaseType
from cskh.core.pagination import keyset_page
from cskh.cx import selectors as cx_selectors

log = logging.getLogger("cskh.desk")

QUEUE_VIEWS = ("mine", "team", "unassigned", "due", "overdue", "logged", "all")
DUE_SOON = timedelta(hours=2)


def due_soon_q(now) -> Q:
    """Open cases due within DUE_SOON and not yet overdue: the "Sắp đến hạn" tile counts what
    its list shows (overdue cases have their own tile and list)."""
    return Q(is_open=True, due_at__gte=now, due_at__lte=now + DUE_SOON)


def case_types() -> list[CaseType]:
    from cskh.catalog.services import active_profile

    try:
        profile = active_profile()
    except Exception:
        return []
    return list(CaseType.objects.filter(profile=profile, is_active=True).order_by("sort_order"))


def picker_types(types: list[CaseType]) -> list[dict[str, Any]]:
    """The case-type picker's entries: each type with the folded words it is found by (its
    name, code and the profile's synonyms of the phrases in its name and description, e.g.
    "cup dien" finds "Mất điện")."""
    from cskh.search.selectors import case_type_terms

    return [
        {
            "code": t.code,
            "name": t.name,
            "priority": t.default_priority,
            "folded": f"{t.name_folded} {t.code} {case_type_terms(t.name, t.description)}",
        }
        for t in types
    ]


def current_interaction(user, *, now=None) -> Interaction | None:
    """The agent's call in progress, if any: ringing within the ring timeout or answered
    within the call timeout (a call the PBX never ended is not "current" for ever)."""
    from django.db.models import Q

    from cskh.telephony.services import stale_before

    ring_before, call_before = stale_before(now)
    return (
        Interaction.objects.filter(agent=user, ended_at__isnull=True)
        .filter(
            Q(state=Interaction.State.RINGING, started_at__gte=ring_before)
            | Q(state=Interaction.State.ACTIVE, started_at__gte=call_before)
        )
        .order_by("-id")
        .first()
    )


def card_cases(customer, *, user) -> dict[str, Any]:
    """The card's case history: open cases (soonest due first) and the last closed ones with
    their outcome, so the agent sees what was already done for this caller."""
    cases = visible_cases(user).filter(customer=customer).select_related("case_type")
    return {
        "open_cases": list(cases.filter(is_open=True).order_by("due_at", "id")[:10]),
        "closed_cases": list(cases.filter(is_open=False).order_by("-id")[:5]),
        "now": timezone.now(),
    }


def case_recordings(case: Case) -> list[Interaction]:
    """Calls of a case that have a recording (URL from the PBX), oldest first."""
    return list(
        case.interactions.exclude(recording_url="").select_related("agent").order_by("started_at")
    )


def card(customer, *, user) -> dict[str, Any]:
    interactions = list(
        Interaction.objects.filter(customer=customer)
        .select_related("agent")
        .order_by("-started_at")[:6]
    )
    return {
        "customer": customer,
        **card_cases(customer, user=user),
        "interactions": interactions,
        "incidents": active_incidents(customer),
        "planned": upcoming_planned(customer),
        "cx": cx_selectors.card(customer.pk),
        "now": timezone.now(),
    }


def upcoming_planned(customer) -> list:
    """Planned outages ahead for the caller's service points (incidents app)."""
    try:
        from cskh.incidents import selectors as incident_selectors

        return incident_selectors.upcoming_planned_for_customer(customer)
    except Exception:
        log.exception("upcoming_planned_for_customer failed")
        return []


def idle(user, *, now=None) -> dict[str, Any]:
    """The desk between calls: the agent's own figures today and what is going on in the
    network (live incidents, the next planned outages)."""
    from cskh.incidents import selectors as incident_selectors

    now = now or timezone.now()
    from cskh.telephony.selectors import scheduled_callbacks

    return {
        "today": agent_today(user, now=now),
        "my_callbacks": scheduled_callbacks(user),
        "live_incidents": incident_selectors.live_incidents(now=now),
        "planned_soon": incident_selectors.upcoming_planned(now=now),
    }


def agent_today(user, *, now=None) -> dict[str, Any]:
    """Calls answered, cases logged and first-contact resolution of one agent since local
    midnight. Two aggregate queries on indexed columns."""
    from django.db.models import Count, Q

    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    calls = Interaction.objects.filter(
        agent=user, started_at__gte=start, answered_at__isnull=False
    ).count()
    agg = Case.objects.filter(created_by=user, created_at__gte=start).aggregate(
        n=Count("id"), fcr=Count("id", filter=Q(resolved_on_first_contact=True))
    )
    n, fcr = agg["n"] or 0, agg["fcr"] or 0
    return {
        "calls": calls,
        "cases": n,
        "fcr": fcr,
        "fcr_pct": round(100 * fcr / n) if n else None,
    }


def active_incidents(customer) -> list:
    """Banner on the card: provided by the incidents app when it is installed."""
    if not importlib.util.find_spec("cskh.incidents.selectors"):
        return []
    try:
        from cskh.incidents import selectors as incident_selectors

        fn = getattr(incident_selectors, "active_incidents_for_customer", None)
        return list(fn(customer) or []) if fn else []
    except Exception:
        log.exception("active_incidents_for_customer failed")
        return []


SUGGEST_WARMUP = True  # train/load the textintel models in a background thread when cold
_warming: dict[str, threading.Thread] = {}


def _models_ready(profile: str) -> bool:
    """The sentiment model and this profile's active case-type model are in memory (`cskh
    serve` loads them at start; elsewhere the first chip request warms them)."""
    try:
        from cskh.textintel import sentiment
        from cskh.textintel import services as text_services

        return getattr(sentiment, "_MODEL", None) is not None and text_services.is_loaded(profile)
    except ImportError:
        return False


def warm_models(profile: str) -> threading.Thread | None:
    """Load the classifier off the request path (the first load trains it: many seconds)."""

    def _run():
        from django.db import connection

        try:
            from cskh.textintel import services as text_services

            text_services.warm_up()
        except Exception:
            log.exception("textintel warm-up failed")
        finally:
            connection.close()

    thread = _warming.get(profile)
    if thread is None or (not thread.is_alive() and not _models_ready(profile)):
        thread = threading.Thread(target=_run, name=f"textintel-warm-{profile}", daemon=True)
        _warming[profile] = thread
        thread.start()
    return thread


def suggest_case_type(text: str) -> dict[str, Any] | None:
    """A chip from the textintel classifier: {"code", "name", "confidence", "urgent",
    "complaint"}. The classifier belongs to textintel; any failure there only hides the chip.
    While its models are still loading the chip is simply absent: the agent never waits."""
    text = (text or "").strip()
    if len(text) < 8:
        return None
    try:
        from cskh.catalog.services import active_profile

        profile = active_profile().code
        if not _models_ready(profile):
            if SUGGEST_WARMUP:
                warm_models(profile)
            return None
        from cskh.textintel import sentiment
        from cskh.textintel import services as text_services

        # the active (possibly retrained) model, whose version the chip carries
        suggestion = text_services.suggest_case_type(text[:2000], profile)
        ranked = [(a["code"], a["score"]) for a in (suggestion or {}).get("alternatives", [])]
        flags = sentiment.analyze_sentiment(text[:2000])
        extra = {
            "urgent": bool(flags.get("urgent")),
            "complaint": bool(flags.get("complaint")),
            "model_version": (suggestion or {}).get("model_version", ""),
        }
        if not ranked:
            return None
        code, conf = ranked[0]
        ct = next((t for t in case_types() if t.code == code), None)
        if ct is None:
            return None
        return {"code": ct.code, "name": ct.name, "confidence": conf, **extra}
    except Exception:
        log.exception("case type suggestion failed")
        return None


SORTS = {
    "new": ("-id",),
    "old": ("id",),
    "due": ("due_at", "id"),
    "priority": ("priority", "due_at", "id"),
}
COUNTED_VIEWS = ("mine", "team", "unassigned", "due", "overdue")


def _view_filter(qs, user, view: str, now):
    if view == "mine":
        return qs.filter(assigned_agent=user, is_open=True)
    if view == "team":
        return qs.filter(unit_id=user.unit_id, is_open=True)
    if view == "unassigned":
        return qs.filter(assigned_agent__isnull=True, is_open=True)
    if view == "due":
        return qs.filter(due_soon_q(now))
    if view == "overdue":
        return qs.filter(is_open=True, due_at__isnull=False, due_at__lt=now)
    if view == "logged":
        return qs.filter(created_by=user)
    return qs


def tab_counts(user, *, now=None, cap: int = 100) -> dict[str, str]:
    """'12' or '99+' per work tab (never COUNT(*) over the case table: LIMIT cap each)."""
    now = now or timezone.now()
    visible = visible_cases(user)
    counts = {v: capped_count(_view_filter(visible, user, v, now), cap) for v in COUNTED_VIEWS}
    from cskh.telephony.selectors import open_callbacks

    counts["callbacks"] = capped_count(open_callbacks(), cap)
    return counts


def queue(
    user,
    *,
    view: str = "mine",
    sort: str = "",
    status: str | None = None,
    type_code: str | None = None,
    unit: str | None = None,
    channel: str | None = None,
    created_from=None,
    created_to=None,
    cursor: str | None = None,
    limit: int = 25,
):
    """One page of a queue, keyset-paginated (never OFFSET, never COUNT(*))."""
    now = timezone.now()
    qs = _view_filter(visible_cases(user).select_related(*LIST_RELATED), user, view, now)
    order: tuple[str, ...] = ("due_at", "id") if view in ("due", "overdue") else ("-id",)
    if sort in SORTS:
        order = SORTS[sort]
        if "due_at" in order:
            qs = qs.filter(due_at__isnull=False)  # keyset order on a non-null column
    if status:
        qs = qs.filter(status=status)
    if type_code:
        qs = qs.filter(case_type__code=type_code)
    if unit:
        qs = qs.filter(unit__code=unit)
    if channel:
        qs = qs.filter(channel=channel)
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    return keyset_page(qs, cursor=cursor, limit=limit, order=order)


def callbacks(*, cursor: str | None = None, limit: int = 25, status: str = "open"):
    from cskh.telephony.models import CallbackTask

    qs = CallbackTask.objects.select_related("customer", "unit")
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-id",))


def capped_count(qs, cap: int = 100) -> str:
    """'37' or '99+' without counting the whole table."""
    n = len(qs.values_list("id", flat=True)[:cap])
    return f"{cap - 1}+" if n >= cap else str(n)


def overdue_cases(user, limit: int = 10) -> list[Case]:
    return list(
        visible_cases(user)
        .filter(is_open=True, due_at__lt=timezone.now())
        .select_related(*LIST_RELATED)
        .order_by("due_at", "id")[:limit]
    )
