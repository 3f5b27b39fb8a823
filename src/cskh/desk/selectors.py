"""Reads for the agent desk: the customer card, queues, optional helpers from other apps."""

from __future__ import annotations

import importlib.util
import logging
import threading
from datetime import timedelta
from typing import Any

from django.utils import timezone

from cskh.cases.models import Case, Interaction
from cskh.cases.selectors import LIST_RELATED, visible_cases
from cskh.catalog.models import CaseType
from cskh.core.pagination import keyset_page
from cskh.cx import selectors as cx_selectors

log = logging.getLogger("cskh.desk")

QUEUE_VIEWS = ("mine", "team", "unassigned", "due", "overdue", "logged", "all")
DUE_SOON = timedelta(hours=2)


def case_types() -> list[CaseType]:
    from cskh.catalog.services import active_profile

    try:
        profile = active_profile()
    except Exception:
        return []
    return list(CaseType.objects.filter(profile=profile, is_active=True).order_by("sort_order"))


def current_interaction(user) -> Interaction | None:
    """The agent's call in progress (ringing or answered in the last 30 minutes), if any."""
    since = timezone.now() - timedelta(minutes=30)
    return (
        Interaction.objects.filter(
            agent=user, state__in=["ringing", "active"], started_at__gte=since
        )
        .order_by("-id")
        .first()
    )


def card(customer, *, user) -> dict[str, Any]:
    open_cases = list(
        visible_cases(user)
        .filter(customer=customer, is_open=True)
        .select_related("case_type")
        .order_by("due_at", "id")[:10]
    )
    interactions = list(
        Interaction.objects.filter(customer=customer)
        .select_related("agent")
        .order_by("-started_at")[:6]
    )
    return {
        "customer": customer,
        "open_cases": open_cases,
        "interactions": interactions,
        "incidents": active_incidents(customer),
        "cx": cx_selectors.card(customer.pk),
        "now": timezone.now(),
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


def queue(
    user,
    *,
    view: str = "mine",
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
    qs = visible_cases(user).select_related(*LIST_RELATED)
    order: tuple[str, ...] = ("-id",)
    now = timezone.now()
    if view == "mine":
        qs = qs.filter(assigned_agent=user, is_open=True)
    elif view == "team":
        qs = qs.filter(unit_id=user.unit_id, is_open=True)
    elif view == "unassigned":
        qs = qs.filter(assigned_agent__isnull=True, is_open=True)
    elif view == "due":
        qs = qs.filter(is_open=True, due_at__isnull=False, due_at__lte=now + DUE_SOON)
        order = ("due_at", "id")
    elif view == "overdue":
        qs = qs.filter(is_open=True, due_at__isnull=False, due_at__lt=now)
        order = ("due_at", "id")
    elif view == "logged":
        qs = qs.filter(created_by=user)
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
