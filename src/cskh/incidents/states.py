"""The incident state machine: the only status changes an incident may take.

Every status write in cskh.incidents.services goes through `require`, so a forbidden move is a
409 with a Vietnamese message, never a silent update.
"""

from django.utils.translation import gettext as _

from cskh.core.errors import Conflict
from cskh.incidents.models import Incident

Status = Incident.Status

# Statuses an incident may be created in (detection: suspected; desk/import: confirmed).
INITIAL: frozenset[str] = frozenset({Status.SUSPECTED, Status.CONFIRMED})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUSPECTED: frozenset(
        {Status.CONFIRMED, Status.DISMISSED, Status.MERGED, Status.RESOLVED}
    ),
    Status.CONFIRMED: frozenset(
        {Status.RESTORING, Status.RESOLVED, Status.MERGED, Status.CANCELLED}
    ),
    Status.RESTORING: frozenset({Status.CONFIRMED, Status.RESOLVED}),
    Status.RESOLVED: frozenset(),
    Status.DISMISSED: frozenset(),
    Status.MERGED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Only a planned outage can be cancelled (an unplanned one is resolved or dismissed).
PLANNED_ONLY: frozenset[str] = frozenset({Status.CANCELLED})


def allowed(from_status: str) -> frozenset[str]:
    return TRANSITIONS.get(from_status, frozenset())


def allowed_for(incident: Incident) -> frozenset[str]:
    """The moves this incident may take: `allowed` minus cancelling an unplanned outage."""
    moves = allowed(incident.status)
    if incident.kind != Incident.Kind.PLANNED:
        moves = moves - PLANNED_ONLY
    return moves


def require(incident: Incident, to: str) -> None:
    """Raise Conflict (409) unless `incident` may move to `to` now."""
    if to not in allowed(incident.status):
        raise Conflict(
            _("Không thể chuyển sự cố từ “%(a)s” sang “%(b)s”.")
            % {"a": Status(incident.status).label, "b": Status(to).label},
            code="illegal_transition",
        )
    if to in PLANNED_ONLY and incident.kind != Incident.Kind.PLANNED:
        raise Conflict(_("Chỉ hủy được lịch ngừng cấp điện."), code="illegal_transition")
