"""The case state machine: the only transitions a case may take."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("Mới")
    ASSIGNED = "assigned", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    WAITING_CUSTOMER = "waiting_customer", _("Chờ khách hàng")
    WAITING_UNIT = "waiting_unit", _("Chờ đơn vị")
    RESOLVED = "resolved", _("Đã giải quyết")
    CLOSED = "closed", _("Đã đóng")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.WAITING_UNIT}
)
PAUSED_STATUSES = frozenset({Status.WAITING_CUSTOMER})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset(
        {
            Status.ASSIGNED,
            Status.IN_PROGRESS,
            Status.WAITING_CUSTOMER,
            Status.WAITING_UNIT,
            Status.RESOLVED,
        }
    ),
    Status.ASSIGNED: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.WAITING_UNIT, Status.RESOLVED}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.ASSIGNED, Status.WAITING_CUSTOMER, Status.WAITING_UNIT, Status.RESOLVED}
    ),
    Status.WAITING_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.WAITING_UNIT, Status.RESOLVED}),
    Status.WAITING_UNIT: frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),  # → in_progress = reopen
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),  # reopen
}


def allowed(from_status: str) -> frozenset[str]:
    return TRANSITIONS.get(from_status, frozenset())


def is_reopen(from_status: str, to_status: str) -> bool:
    return from_status in (Status.RESOLVED, Status.CLOSED) and to_status == Status.IN_PROGRESS
