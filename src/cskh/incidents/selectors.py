"""Reads for incidents. Scope matching is one indexed query on IncidentScope."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cskh.core.errors import NotFound
from cskh.incidents.models import (
    Incident,
    IncidentCase,
    IncidentEvent,
    IncidentScope,
    IncidentSubscription,
    Level,
    NotifyBatch,
)
from cskh.org import permissions
from cskh.org.selectors import visible_unit_ids

STATUS_ORDER: dict[str, int] = {"restoring": 0, "confirmed": 1, "suspected": 2}
LEVEL_ORDER: dict[str, int] = {
    Level.SERVICE_POINT: 0,
    Level.TRANSFORMER: 1,
    Level.FEEDER: 2,
    Level.WARD: 3,
}


@dataclass(frozen=True)
class Position:
    """Where a service point sits in the network."""

    service_point_id: int | None = None
    transformer_code: str = ""
    feeder_code: str = ""
    ward_id: int | None = None

    @classmethod
    def of(cls, sp, *, fallback_ward_id: int | None = None) -> "Position":
        if sp is None:
            return cls(ward_id=fallback_ward_id)
        return cls(
            service_point_id=sp.pk,
            transformer_code=sp.transformer_code or "",
            feeder_code=sp.feeder_code or "",
            ward_id=sp.ward_id or fallback_ward_id,
        )

    def scope_q(self) -> Q | None:
        q = Q()
        if self.service_point_id:
            q |= Q(level=Level.SERVICE_POINT, code=str(self.service_point_id))
        if self.transformer_code:
            q |= Q(level=Level.TRANSFORMER, code=self.transformer_code)
        if self.feeder_code:
            q |= Q(level=Level.FEEDER, code=self.feeder_code)
        if self.ward_id:
            q |= Q(level=Level.WARD, code=str(self.ward_id))
        return q or None


def _positions_q(positions) -> Q | None:
    q = Q()
    for p in positions:
        pq = p.scope_q()
        if pq is not None:
            q |= pq
    return q or None


def live_scopes(positions, *, at: datetime | None = None) -> list[IncidentScope]:
    """Live scope rows (suspected/confirmed/restoring, started) covering any position."""
    q = _positions_q(positions)
    if q is None:
        return []
    at = at or timezone.now()
    return list(
        IncidentScope.objects.filter(q, live=True, incident__started_at__lte=at).select_related(
            "incident"
        )
    )


def best_incident(scopes: list[IncidentScope]) -> Incident | None:
    """Prefer confirmed/restoring over suspected, then the most specific level."""
    best = None
    for s in scopes:
        inc = s.incident
        if inc.status not in Incident.LIVE:
            continue
        key = (STATUS_ORDER.get(inc.status, 9), LEVEL_ORDER.get(s.level, 9), inc.pk)
        if best is None or key < best[0]:
            best = (key, inc)
    return best[1] if best else None


def _customer_positions(customer) -> list[Position]:
    cache = getattr(customer, "_prefetched_objects_cache", {})
    sps = cache.get("service_points")
    if sps is None:
        sps = list(customer.service_points.all())
    positions = [Position.of(sp, fallback_ward_id=customer.ward_id) for sp in sps]
    if not positions and customer.ward_id:
        positions = [Position(ward_id=customer.ward_id)]
    return positions


def active_incidents_for_customer(customer) -> list[Incident]:
    """Confirmed/restoring incidents (and planned outages in progress) covering a customer.

    For the desk banner: at most 2 queries (1 when service points are prefetched).
    """
    positions = _customer_positions(customer)
    seen: dict[int, Incident] = {}
    for s in live_scopes(positions):
        if s.incident.status in Incident.ACTIVE:
            seen.setdefault(s.incident_id, s.incident)
    return sorted(seen.values(), key=lambda i: (STATUS_ORDER.get(i.status, 9), -i.pk))


def upcoming_planned_for_customer(
    customer, *, now: datetime | None = None, days: int = 14, limit: int = 5
) -> list[Incident]:
    """Planned outages not started yet (within ``days``) that cover the customer's service
    points (transformer, feeder, the point itself) or ward: the desk card shows them so that
    the agent can tell the caller before they ask. Two queries (one with service points
    prefetched)."""
    q = _positions_q(_customer_positions(customer))
    if q is None:
        return []
    now = now or timezone.now()
    return list(
        Incident.objects.filter(
            kind=Incident.Kind.PLANNED,
            status__in=Incident.ACTIVE,
            started_at__gt=now,
            started_at__lte=now + timedelta(days=days),
            pk__in=IncidentScope.objects.filter(q).values("incident_id"),
        ).order_by("started_at", "id")[:limit]
    )


def upcoming_planned(
    *, now: datetime | None = None, days: int = 7, limit: int = 5
) -> list[Incident]:
    """The next planned outages anywhere (the idle desk's strip), soonest first."""
    now = now or timezone.now()
    return list(
        Incident.objects.filter(
            kind=Incident.Kind.PLANNED,
            status__in=Incident.ACTIVE,
            started_at__gt=now,
            started_at__lte=now + timedelta(days=days),
        )
        .select_related("unit")
        .order_by("started_at", "id")[:limit]
    )


def live_incidents(*, now: datetime | None = None, limit: int = 6) -> list[Incident]:
    """Incidents in progress now (confirmed or restoring; planned ones once started), the
    newest first: the idle desk's live strip."""
    now = now or timezone.now()
    return list(
        Incident.objects.filter(status__in=Incident.ACTIVE, started_at__lte=now)
        .select_related("unit")
        .order_by("-started_at", "-id")[:limit]
    )


def visible_incidents(user) -> QuerySet[Incident]:
    qs = Incident.objects.all()
    units = visible_unit_ids(user)
    if units is not None:
        qs = qs.filter(unit_id__in=units)
    return qs


# kept for incidents.services, which asks these (role sets live in org.permissions)


def get_for_user(user, incident_id: int) -> Incident:
    inc = Incident.objects.select_related("unit", "merged_into").filter(pk=incident_id).first()
    if inc is None or not permissions.can_view_incident(user, inc):
        # another unit's incident does not exist for this user (404, not 403)
        raise NotFound(_("Không tìm thấy sự cố %(id)s.") % {"id": incident_id})
    return inc


def list_incidents(
    user,
    *,
    status: str | None = None,
    kind: str | None = None,
    ward_id: int | None = None,
    unit_code: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
):
    from cskh.core.pagination import keyset_page

    qs = visible_incidents(user).select_related("unit")
    if status == "active":
        qs = qs.filter(status__in=Incident.ACTIVE)
    elif status == "live":
        qs = qs.filter(status__in=Incident.LIVE)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if unit_code:
        qs = qs.filter(unit__code=unit_code)
    if ward_id:
        qs = qs.filter(
            pk__in=IncidentScope.objects.filter(
                Q(ward_id=ward_id) | Q(level=Level.WARD, code=str(ward_id))
            ).values("incident_id")
        )
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-id",))


def scopes(incident: Incident) -> list[IncidentScope]:
    return list(incident.scopes.select_related("ward").order_by("level", "code"))


def timeline(incident: Incident) -> list[IncidentEvent]:
    return list(incident.events.select_related("actor").order_by("created_at", "id"))


def linked_cases(incident: Incident, *, cursor: str | None = None, limit: int = 100):
    from cskh.core.pagination import keyset_page

    qs = IncidentCase.objects.filter(incident=incident).select_related(
        "case__case_type", "case__customer", "case__service_point"
    )
    return keyset_page(qs, cursor=cursor, limit=limit, order=("-id",))


def case_counts(incident: Incident) -> dict[str, Any]:
    qs = IncidentCase.objects.filter(incident=incident)
    return {"linked": qs.count(), "open": qs.filter(case__is_open=True).count()}


def scope_codes(incident: Incident) -> dict[str, list[str]]:
    """The incident's scope codes by level."""
    by_level: dict[str, list[str]] = {}
    for level, code in incident.scopes.values_list("level", "code"):
        by_level.setdefault(level, []).append(code)
    return by_level


def network_scope_q(by_level: dict[str, list[str]]) -> Q:
    """The transformer, feeder and ward scopes as one filter on the columns that service points
    and incident signals both carry (an empty Q when there are none)."""
    q = Q()
    if by_level.get(Level.TRANSFORMER):
        q |= Q(transformer_code__in=by_level[Level.TRANSFORMER])
    if by_level.get(Level.FEEDER):
        q |= Q(feeder_code__in=by_level[Level.FEEDER])
    if by_level.get(Level.WARD):
        q |= Q(ward_id__in=[int(c) for c in by_level[Level.WARD]])
    return q


def scope_service_points(incident: Incident):
    """Service points inside the incident's scope (read of customers.ServicePoint)."""
    from cskh.customers.models import ServicePoint

    by_level = scope_codes(incident)
    q = network_scope_q(by_level)
    if by_level.get(Level.SERVICE_POINT):
        q |= Q(id__in=[int(c) for c in by_level[Level.SERVICE_POINT]])
    if not q:
        return ServicePoint.objects.none()
    return ServicePoint.objects.filter(q).exclude(status=ServicePoint.Status.TERMINATED)


def affected_recipients(incident: Incident) -> list[tuple[int, str]]:
    """(customer_id, preferred channel) of everyone affected: every customer with a service
    point in scope, plus callers and subscribers (whose service point may lie outside it)."""
    from cskh.customers.models import Customer

    out = dict(
        scope_service_points(incident)
        .values_list("customer_id", "customer__preferred_channel")
        .distinct()
    )
    extra = sorted(
        (set(caller_customer_ids(incident)) | set(subscriber_customer_ids(incident))) - set(out)
    )
    if extra:
        out.update(Customer.objects.filter(pk__in=extra).values_list("pk", "preferred_channel"))
    return sorted(out.items())


def subscriber_customer_ids(incident: Incident) -> list[int]:
    return sorted(
        IncidentSubscription.objects.filter(incident=incident).values_list("customer_id", flat=True)
    )


def is_case_linked(case_id: int) -> bool:
    """Whether a case is linked to an incident (the incident's crew handles it)."""
    return IncidentCase.objects.filter(case_id=case_id).exists()


def caller_customer_ids(incident: Incident) -> list[int]:
    return sorted(
        set(IncidentCase.objects.filter(incident=incident).values_list("customer_id", flat=True))
    )


MESSAGE_LABELS = {
    "incident_outage": _lazy("Báo sự cố"),
    "incident_restored": _lazy("Báo đã khắc phục"),
    "planned_outage_notice": _lazy("Báo lịch"),
    "planned_outage_reminder": _lazy("Nhắc lịch"),
    "planned_outage_changed": _lazy("Báo đổi lịch"),
    "planned_outage_cancelled": _lazy("Báo hủy lịch"),
}


def notify_progress(incident: Incident) -> dict[str, Any]:
    """The incident's customer messages: `messages` has one row per message (by template) with
    customers planned, customers handed to the outbox, slices, and the delivery counts of those
    outbox rows; the top-level figures add the rows up. Every figure counts the same messages,
    so "enqueued" never exceeds "total" nor "sent" "enqueued"."""
    from django.db.models import Count, Sum

    from cskh.notify.models import Notification

    rows: dict[str, dict[str, Any]] = {}
    for b in (
        NotifyBatch.objects.filter(incident=incident)
        .values("template")
        .annotate(
            batches=Count("id"),
            batches_sent=Count("id", filter=Q(sent_at__isnull=False)),
            customers=Sum("size"),
            handed=Sum("size", filter=Q(sent_at__isnull=False)),
            first=Min("created_at"),
        )
        .order_by("first")
    ):
        rows[b["template"]] = {
            "template": b["template"],
            "label": str(MESSAGE_LABELS.get(b["template"], b["template"])),
            "customers": b["customers"] or 0,
            "handed": b["handed"] or 0,
            "batches": b["batches"],
            "batches_sent": b["batches_sent"],
            "sent": 0,
            "pending": 0,
            "failed": 0,
            "skipped": 0,
        }
    for template, status, n in (
        Notification.objects.filter(incident_id=incident.pk)
        .values("template", "status")
        .annotate(n=Count("id"))
        .values_list("template", "status", "n")
    ):
        row = rows.get(template)
        if row is None:
            continue
        key = "pending" if status in ("pending", "sending") else status
        if key in row:
            row[key] += n
    messages = list(rows.values())
    return {
        "total": sum(m["customers"] for m in messages),
        "enqueued": sum(m["handed"] for m in messages),
        "batches": sum(m["batches"] for m in messages),
        "batches_sent": sum(m["batches_sent"] for m in messages),
        "sent": sum(m["sent"] for m in messages),
        "pending": sum(m["pending"] for m in messages),
        "failed": sum(m["failed"] for m in messages),
        "skipped": sum(m["skipped"] for m in messages),
        "messages": messages,
    }


# --- public schedule (no personal data) -----------------------------------------------------


def public_planned(*, ward_ids: list[int] | None = None, positions=None, limit: int = 200):
    now = timezone.now()
    qs = Incident.objects.filter(
        kind=Incident.Kind.PLANNED,
        status__in=Incident.ACTIVE,
        ends_at__gte=now,
    )
    if ward_ids is not None:
        qs = qs.filter(
            pk__in=IncidentScope.objects.filter(
                Q(ward_id__in=ward_ids) | Q(level=Level.WARD, code__in=[str(w) for w in ward_ids])
            ).values("incident_id")
        )
    if positions is not None:
        q = _positions_q(positions)
        if q is None:
            return []
        qs = qs.filter(pk__in=IncidentScope.objects.filter(q).values("incident_id"))
    rows = list(qs.order_by("started_at", "id")[:limit])
    scope_rows = IncidentScope.objects.filter(incident__in=rows).select_related("ward")
    by_inc: dict[int, list[IncidentScope]] = {}
    for s in scope_rows:
        by_inc.setdefault(s.incident_id, []).append(s)
    return [(inc, by_inc.get(inc.pk, [])) for inc in rows]


def customer_positions_by_code(code: str) -> list[Position] | None:
    from cskh.customers.selectors import find_by_code

    customer = find_by_code(code)
    if customer is None:
        return None
    return _customer_positions(customer)


def incident_windows(*, start, end) -> list[tuple[str, Any, Any]]:
    """(kind, start, end or None) of incidents overlapping [start, end), merged ones left out:
    planned outages and storms that workforce forecasting treats as known events."""
    rows = (
        Incident.objects.filter(started_at__lt=end, merged_into__isnull=True)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=start))
        .values_list("kind", "started_at", "resolved_at", "ends_at")
    )
    return [(kind, s, r or e) for kind, s, r, e in rows]


def subscribed_incident_ids(customer_id: int, incident_ids: list[int]) -> set[int]:
    """Which of these incidents the customer subscribed to (the portal's outage page)."""
    return set(
        IncidentSubscription.objects.filter(
            customer_id=customer_id, incident_id__in=incident_ids
        ).values_list("incident_id", flat=True)
    )
