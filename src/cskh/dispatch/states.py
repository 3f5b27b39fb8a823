"""The work-order state machine: the only status changes a work order may take.

Every status write in cskh.dispatch.services goes through `move`, so a forbidden move is a 409
with a Vietnamese message. The services check the friendlier cases first (e.g. "accept the work
order before reporting progress"); this table is the rule they all end in.
"""

from django.utils.translation import gettext as _

from cskh.core.errors import Conflict
from cskh.dispatch.models import WorkOrder

Status = WorkOrder.Status

# A work order the field unit still has to act on.
OPEN: frozenset[str] = frozenset({Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS})

TRANSITIONS: dict[str, frozenset[str]] = {
    # The unit accepts or returns it; the center moves or withdraws it.
    Status.SENT: frozenset(
        {Status.ACCEPTED, Status.REJECTED, Status.REDISPATCHED, Status.CANCELLED}
    ),
    Status.ACCEPTED: frozenset(
        {Status.IN_PROGRESS, Status.DONE, Status.REJECTED, Status.REDISPATCHED, Status.CANCELLED}
    ),
    # Once the technician is on the way the unit can no longer return it.
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.REDISPATCHED, Status.CANCELLED}),
    Status.DONE: frozenset(),
    Status.REJECTED: frozenset(),
    Status.REDISPATCHED: frozenset(),
    Status.CANCELLED: frozenset(),
}


def allowed(from_status: str) -> frozenset[str]:
    return TRANSITIONS.get(from_status, frozenset())


def move(wo: WorkOrder, to: str) -> None:
    """Set `wo.status` to `to` (not saved), or raise Conflict (409) if the table forbids it."""
    if to not in allowed(wo.status):
        raise Conflict(
            _("Phiếu %(c)s không thể chuyển từ “%(a)s” sang “%(b)s”.")
            % {"c": wo.code, "a": Status(wo.status).label, "b": Status(to).label},
            code="illegal_transition",
        )
    wo.status = to
