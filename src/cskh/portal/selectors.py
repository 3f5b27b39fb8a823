"""Reads of the customer portal. The signed-in customer is a customer id in the Django
session (``CUSTOMER_KEY``), never a staff User: every read here takes the customer and
shows only what is theirs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import selectors as case_selectors
from cskh.cases.models import Case
from cskh.cases.states import Status
from cskh.customers import selectors as customer_selectors
from cskh.customers.models import Customer
from cskh.incidents import selectors as incident_selectors
from cskh.portal.models import Photo

CUSTOMER_KEY = "portal_customer_id"
CHALLENGE_KEY = "portal_otp_token"
_CACHED = "_portal_customer"


def signed_in_customer(request: HttpRequest) -> Customer | None:
    """The customer signed in to the portal in this session, or None (read once a request)."""
    if hasattr(request, _CACHED):
        cached: Customer | None = getattr(request, _CACHED)
        return cached
    customer_id = request.session.get(CUSTOMER_KEY)
    customer = None
    if isinstance(customer_id, int):
        customer = customer_selectors.get_plain(customer_id)
    setattr(request, _CACHED, customer)
    return customer


def when(value: datetime) -> str:
    """16:00 ngày 12/12 (the year only when it is not this one)."""
    local = timezone.localtime(value)
    now = timezone.localtime()
    day = local.strftime("%d/%m") if local.year == now.year else local.strftime("%d/%m/%Y")
    return _("%(h)s ngày %(d)s") % {"h": local.strftime("%H:%M"), "d": day}


def expectation(case: Case, *, now: datetime | None = None) -> str:
    """The SLA due time in plain words, as the customer reads it."""
    now = now or timezone.now()
    if case.status == Status.RESOLVED and case.resolved_at:
        return _("Đã giải quyết lúc %(t)s") % {"t": when(case.resolved_at)}
    if case.status == Status.CLOSED and case.closed_at:
        return _("Đã đóng lúc %(t)s") % {"t": when(case.closed_at)}
    if case.status == Status.WAITING_CUSTOMER:
        return _("Đang chờ Quý khách bổ sung thông tin")
    if case.due_at is None:
        return _("Đang xử lý")
    if case.due_at < now:
        return _("Đã quá thời hạn dự kiến (%(t)s), yêu cầu đang được ưu tiên xử lý") % {
            "t": when(case.due_at)
        }
    return _("Dự kiến xử lý trước %(t)s") % {"t": when(case.due_at)}


PAGE_SIZE = 20


def my_cases(
    customer: Customer, *, limit: int = PAGE_SIZE, before: int | None = None
) -> dict[str, Any]:
    """One page of the customer's cases, newest first: {"rows", "next"} where "next" is the
    ``before`` of the following page (None on the last)."""
    now = timezone.now()
    cases = case_selectors.for_customer(customer.pk, limit=limit + 1, before=before)
    more = len(cases) > limit
    cases = cases[:limit]
    return {
        "rows": [
            {"case": c, "status": Status(c.status).label, "expect": expectation(c, now=now)}
            for c in cases
        ],
        "next": cases[-1].pk if more else None,
    }


def my_case(customer: Customer, number: str) -> Case:
    """The customer's own case (NotFound for anyone else's)."""
    return case_selectors.get_for_customer(customer.pk, number)


def case_view(case: Case) -> dict[str, Any]:
    """Timeline (customer-visible part) with each reply's photos, the photos sent with the
    request itself, the status in words."""
    photos: dict[int | None, list[Photo]] = {}
    for p in Photo.objects.filter(case_id=case.pk).order_by("id"):
        photos.setdefault(p.event_id, []).append(p)
    rows = case_selectors.customer_timeline(
        case, staff_first_name=settings.CSKH_PORTAL_STAFF_FIRST_NAME
    )
    for row in rows:
        row["photos"] = photos.get(row["event_id"], [])
    return {
        "timeline": rows,
        "opening_photos": photos.get(None, []),
        "status": Status(case.status).label,
        "expect": expectation(case),
    }


def photo_for(customer: Customer, photo_id: int) -> Photo | None:
    return Photo.objects.filter(pk=photo_id, customer_id=customer.pk).first()


def outages_for(customer: Customer) -> dict[str, Any]:
    """Live incidents and planned outages ahead covering the customer's service points."""
    live = incident_selectors.active_incidents_for_customer(customer)
    planned = incident_selectors.upcoming_planned_for_customer(customer, days=14, limit=10)
    return {"live": live, "planned": planned, "all": [*live, *planned]}


def subscribed_incident_ids(customer: Customer, incident_ids: list[int]) -> set[int]:
    return incident_selectors.subscribed_incident_ids(customer.pk, incident_ids)


def track(number: str, last4: str) -> Case | None:
    """A case by its number when the last four digits match one of its customer's phones;
    None otherwise (one answer for a wrong number and a wrong phone)."""
    digits = "".join(ch for ch in (last4 or "") if ch.isdigit())
    if len(digits) != 4 or not number:
        return None
    case = case_selectors.get_by_number(number)
    if case is None:
        return None
    phones = customer_selectors.phones_of(case.customer_id)
    return case if any(p.endswith(digits) for p in phones) else None
