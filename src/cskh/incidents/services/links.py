"""Cases linked to an incident and customers subscribed to its news."""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases import services as case_services
from cskh.cases.models import Case
from cskh.core import audit
from cskh.core.errors import Conflict
from cskh.core.types import Actor
from cskh.incidents import selectors
from cskh.incidents.models import (
    Incident,
    IncidentCase,
    IncidentSignal,
    IncidentSubscription,
)
from cskh.incidents.services.common import local_time

if TYPE_CHECKING:
    from cskh.customers.models import Customer


def link(
    incident: Incident, case: Case, *, how: str, at: datetime | None = None, actor: Actor = None
) -> bool:
    """Link one case; adds a case timeline event. Returns False if it was already linked."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            IncidentCase.objects.create(
                incident=incident, case=case, customer_id=case.customer_id, how=how, linked_at=at
            )
    except IntegrityError:
        return False
    IncidentSubscription.objects.bulk_create(
        [
            IncidentSubscription(
                incident=incident, customer_id=case.customer_id, source="case", created_at=at
            )
        ],
        ignore_conflicts=True,
    )
    if incident.status == Incident.Status.SUSPECTED:
        body = _("Nghi thuộc sự cố %(code)s: %(title)s.") % {
            "code": incident.code,
            "title": incident.title,
        }
    else:
        body = _("Thuộc sự cố %(code)s: %(title)s.") % {
            "code": incident.code,
            "title": incident.title,
        }
        if incident.eta:
            body += " " + _("Dự kiến khôi phục: %(eta)s.") % {"eta": local_time(incident.eta)}
    case_services.add_event(
        case=case,
        kind="incident",
        actor=actor,
        body=body,
        at=at,
        data={
            "incident": incident.pk,
            "code": incident.code,
            "status": incident.status,
            "how": how,
            "eta": incident.eta.isoformat() if incident.eta else None,
        },
    )
    return True


def link_ids(incident: Incident, case_ids: Iterable[int], *, how: str, actor: Actor = None) -> int:
    """Link the open cases among `case_ids` that are not linked yet; returns how many."""
    ids = set(case_ids) - set(
        IncidentCase.objects.filter(incident=incident).values_list("case_id", flat=True)
    )
    n = 0
    for case in Case.objects.filter(pk__in=ids, is_open=True).order_by("id"):
        n += link(incident, case, how=how, actor=actor)
    return n


def signals_in_scope(incident: Incident) -> QuerySet[IncidentSignal]:
    q = selectors.network_scope_q(selectors.scope_codes(incident))
    if not q:
        return IncidentSignal.objects.none()
    return IncidentSignal.objects.filter(q)


def add_subscribers(incident: Incident, customer_ids: Iterable[int], *, source: str) -> int:
    """Subscribe customers (idempotent); returns how many were new."""
    now = timezone.now()
    rows = [
        IncidentSubscription(incident=incident, customer_id=c, source=source, created_at=now)
        for c in set(customer_ids)
    ]
    before = IncidentSubscription.objects.filter(incident=incident).count()
    IncidentSubscription.objects.bulk_create(rows, ignore_conflicts=True)
    return IncidentSubscription.objects.filter(incident=incident).count() - before


@transaction.atomic
def subscribe(
    *, incident: Incident, customer: "Customer", actor: Actor = None, source: str = "api"
) -> bool:
    """Ask to be informed about an incident (ETA changes and restoration)."""
    if incident.status not in Incident.LIVE:
        raise Conflict(_("Sự cố đã kết thúc."), code="closed")
    created = add_subscribers(incident, [customer.pk], source=source)
    if created:
        audit.record(
            actor=actor,
            action="incident.subscribe",
            obj=incident,
            changes={"customer": customer.pk, "source": source},
        )
    return bool(created)
