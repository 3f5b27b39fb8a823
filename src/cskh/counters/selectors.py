"""Reads of the counter app: offices a user may operate, the queue board, free appointment
slots (public: the portal calls ``free_slots``) and the figures per office and counter."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.counters.models import Counter, Office, Service, SlotLoad, Ticket
from cskh.org import permissions
from cskh.org.selectors import visible_unit_ids

State = Ticket.State
WORKDAYS = (0, 1, 2, 3, 4, 5)  # Monday to Saturday


# --------------------------------------------------------------------------- offices


def offices_for(user: Any) -> QuerySet[Office]:
    """Offices whose counters this user may operate (404 for the others)."""
    if not permissions.can_use_counters(user):
        return Office.objects.none()
    qs = Office.objects.filter(is_active=True)
    units = visible_unit_ids(user)
    return qs if units is None else qs.filter(unit_id__in=units)


def figure_offices_for(user: Any) -> QuerySet[Office]:
    if not permissions.can_view_counter_figures(user):
        return Office.objects.none()
    if permissions.is_counter_staff(user):
        return offices_for(user)
    return Office.objects.filter(is_active=True)


def office_for_user(user: Any, code: str) -> Office:
    office = offices_for(user).filter(code=code).first()
    if office is None:
        raise Http404
    return office


def counter_for_user(user: Any, code: str, number: int) -> Counter:
    counter = (
        Counter.objects.select_related("office")
        .filter(office__in=offices_for(user), office__code=code, number=number, is_active=True)
        .first()
    )
    if counter is None:
        raise Http404
    return counter


def public_office(code: str) -> Office:
    office = Office.objects.filter(code=code, is_active=True).first()
    if office is None:
        raise Http404
    return office


def public_offices() -> QuerySet[Office]:
    return Office.objects.filter(is_active=True).order_by("name")


def services_of(office: Office, *, bookable: bool = False) -> QuerySet[Service]:
    qs = office.services.filter(is_active=True)
    return qs.filter(bookable=True) if bookable else qs


# --------------------------------------------------------------------------- the board


def board(office: Office) -> dict[str, Any]:
    """What the display and the counter pages show: per counter its called or serving
    ticket, and how many wait per service."""
    counters = list(office.counters.filter(is_active=True).order_by("number"))
    today = timezone.localdate()
    current: dict[int, Ticket] = {}
    for t in (
        Ticket.objects.filter(
            office=office, day=today, state__in=(State.CALLED, State.SERVING), counter__isnull=False
        )
        .select_related("service")
        .order_by("called_at")
    ):
        current[t.counter_id] = t  # type: ignore[index]
    waiting = dict(
        Ticket.objects.filter(office=office, day=today, state=State.WAITING)
        .values_list("service_id")
        .annotate(n=Count("id"))
        .values_list("service_id", "n")
    )
    services = list(services_of(office))
    last = (
        Ticket.objects.filter(office=office, day=today, called_at__isnull=False)
        .order_by("-called_at")
        .select_related("counter")
        .first()
    )
    return {
        "rows": [{"counter": c, "ticket": current.get(c.pk)} for c in counters],
        "waiting": [{"service": s, "n": waiting.get(s.pk, 0)} for s in services],
        "last": last,
    }


def counter_state(counter: Counter) -> dict[str, Any]:
    """The counter page: its current ticket, the queue it would call from, recent tickets."""
    from cskh.counters.services import waiting_queue

    current = (
        Ticket.objects.filter(counter=counter, state__in=(State.CALLED, State.SERVING))
        .select_related("service", "customer", "appointment", "case")
        .order_by("-called_at")
        .first()
    )
    queue = list(waiting_queue(counter=counter).select_related("service")[:8])
    done = list(
        Ticket.objects.filter(counter=counter, day=timezone.localdate())
        .exclude(state__in=(State.CALLED, State.SERVING))
        .select_related("service", "case")
        .order_by("-called_at")[:10]
    )
    return {"current": current, "queue": queue, "recent": done}


def customer_card(ticket: Ticket) -> dict[str, Any] | None:
    """The customer behind a ticket (phone given at the kiosk or booked): name, code,
    service points and open cases, through the customers and cases selectors."""
    from cskh.customers import selectors as customer_selectors

    customers = []
    if ticket.customer_id:
        found = customer_selectors.get(ticket.customer_id)
        customers = [found] if found else []
    elif ticket.phone:
        customers = customer_selectors.find_by_phone(ticket.phone)
    if not customers:
        return None
    customer = customers[0]
    return {
        "customer": customer,
        "others": len(customers) - 1,
        "service_points": list(customer.service_points.all()[:5]),
        "open_cases": list(
            customer.cases.filter(is_open=True).select_related("case_type").order_by("-id")[:5]
        ),
        "recent_cases": list(
            customer.cases.filter(is_open=False).select_related("case_type").order_by("-id")[:3]
        ),
    }


# --------------------------------------------------------------------------- slots


def _slot_starts(office: Office, day: date) -> list[datetime]:
    if day.weekday() not in WORKDAYS:
        return []
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, office.opens_at, tzinfo=tz)
    end = datetime.combine(day, office.closes_at, tzinfo=tz)
    step = timedelta(minutes=max(5, office.slot_minutes))
    out = []
    while start + step <= end:
        out.append(start)
        start += step
    return out


def slot_is_offered(*, service: Service, start: datetime, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    office = service.office
    day = timezone.localdate(start)
    if start <= now or day > timezone.localdate(now) + timedelta(days=office.booking_days):
        return False
    return start in _slot_starts(office, day)


def free_slots(
    *, service: Service, days: int | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Bookable slots of a service from now on (public: the booking page and the portal):
    ``[{"start", "end", "free"}]``, only slots with a free place."""
    now = now or timezone.now()
    office = service.office
    if not (service.bookable and service.is_active and office.is_active):
        return []
    horizon = min(days if days is not None else office.booking_days, office.booking_days)
    today = timezone.localdate(now)
    starts = [
        s
        for d in range(horizon + 1)
        for s in _slot_starts(office, today + timedelta(days=d))
        if s > now
    ]
    if not starts:
        return []
    booked = dict(
        SlotLoad.objects.filter(
            service=service, start__gte=starts[0], start__lte=starts[-1]
        ).values_list("start", "booked")
    )
    step = timedelta(minutes=office.slot_minutes)
    return [
        {"start": s, "end": s + step, "free": service.slot_capacity - booked.get(s, 0)}
        for s in starts
        if service.slot_capacity - booked.get(s, 0) > 0
    ]


# --------------------------------------------------------------------------- figures

GROUPS = ("office", "counter", "service", "month", "hour")


def percentile(sorted_values: list[int], p: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    if lo == hi:
        return float(sorted_values[int(k)])
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY x)`` (an ordered-set
    aggregate; a ``filter`` becomes its FILTER clause)."""

    function = "percentile_cont"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, p: float, **extra: Any) -> None:
        super().__init__(expression, p=float(p), **extra)


def _group_key(group_by: str) -> Any:
    return {
        "office": F("office_id"),
        "counter": F("counter_id"),
        "service": F("service_id"),
        "month": TruncMonth("day"),
        "hour": ExtractHour("issued_at"),  # in the current (local) time zone
    }[group_by]


def figures(
    *,
    offices: Iterable[Office],
    start: date,
    end: date,
    group_by: str = "office",
    counter_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Per group: tickets issued, served, no-shows (count and % of those called), waiting
    time (median, p90: kiosk to first call) and service time (median, p90; each leg of a
    transferred visit counts its own) in minutes. A transferred visit is one ticket, counted
    where it was first called. PostgreSQL computes the percentiles (percentile_cont);
    elsewhere the same interpolation runs over the values."""
    if group_by not in GROUPS:
        group_by = "office"
    names = {o.pk: o.name for o in offices}
    qs = Ticket.objects.filter(office_id__in=list(names), day__gte=start, day__lte=end)
    if counter_ids is not None:
        qs = qs.filter(counter_id__in=list(counter_ids))
    qs = qs.annotate(k=_group_key(group_by))
    first_leg = Q(transferred_from__isnull=True)
    counts = {
        row["k"]: row
        for row in qs.values("k").annotate(
            tickets=Count("id", filter=first_leg),
            served=Count("id", filter=Q(state=State.DONE)),
            no_show=Count("id", filter=Q(state=State.NO_SHOW)),
        )
    }
    stats: dict[Any, dict[str, float | None]] = {}
    if connection.vendor == "postgresql":
        for row in qs.values("k").annotate(
            wm=PercentileCont("wait_seconds", 0.5, filter=first_leg),
            w9=PercentileCont("wait_seconds", 0.9, filter=first_leg),
            sm=PercentileCont("service_seconds", 0.5),
            s9=PercentileCont("service_seconds", 0.9),
        ):
            stats[row["k"]] = {"wm": row["wm"], "w9": row["w9"], "sm": row["sm"], "s9": row["s9"]}
    else:
        waits: dict[Any, list[int]] = defaultdict(list)
        serv: dict[Any, list[int]] = defaultdict(list)
        for key, wait, moved, service_s in qs.values_list(
            "k", "wait_seconds", "transferred_from_id", "service_seconds"
        ).iterator(chunk_size=5000):
            if wait is not None and moved is None:
                waits[key].append(wait)
            if service_s is not None:
                serv[key].append(service_s)
        for key in counts:
            w, sv = sorted(waits[key]), sorted(serv[key])
            stats[key] = {
                "wm": percentile(w, 0.5),
                "w9": percentile(w, 0.9),
                "sm": percentile(sv, 0.5),
                "s9": percentile(sv, 0.9),
            }
    labels = _labels(group_by, list(counts), names)
    out = []
    for key, c in counts.items():
        st = stats.get(key, {})
        called = c["served"] + c["no_show"]
        out.append(
            {
                "key": key.strftime("%Y-%m") if group_by == "month" else str(key),
                "label": labels.get(
                    key, key.strftime("%m/%Y") if group_by == "month" else str(key)
                ),
                "tickets": c["tickets"],
                "served": c["served"],
                "no_show": c["no_show"],
                "no_show_rate": round(100 * c["no_show"] / called, 1) if called else 0.0,
                "wait_median": _minutes(st.get("wm")),
                "wait_p90": _minutes(st.get("w9")),
                "service_median": _minutes(st.get("sm")),
                "service_p90": _minutes(st.get("s9")),
                "_sort": key if group_by in ("month", "hour") else labels.get(key, ""),
            }
        )
    out.sort(key=lambda r: (r["_sort"] is None, r["_sort"]))
    for r in out:
        del r["_sort"]
    return out


def _labels(group_by: str, keys: list[Any], office_names: dict[int, str]) -> dict[Any, str]:
    if group_by == "office":
        return dict(office_names)
    if group_by == "counter":
        return {
            c.pk: f"{c.office.name} · {c}"
            for c in Counter.objects.filter(pk__in=[k for k in keys if k]).select_related("office")
        } | {None: _("Chưa gọi")}
    if group_by == "service":
        return {
            s.pk: f"{s.office.name} · {s.name}"
            for s in Service.objects.filter(pk__in=keys).select_related("office")
        }
    if group_by == "hour":
        return {k: f"{k:02d}h" for k in keys if k is not None}
    return {}


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(days=29), today


def tickets_issued_today(office: Office) -> int:
    return Ticket.objects.filter(
        office=office, day=timezone.localdate(), transferred_from__isnull=True
    ).count()


def queue_length(office: Office) -> dict[int, int]:
    return dict(
        Ticket.objects.filter(office=office, day=timezone.localdate(), state=State.WAITING)
        .values("service_id")
        .annotate(n=Count("id", filter=Q(state=State.WAITING)))
        .values_list("service_id", "n")
    )
