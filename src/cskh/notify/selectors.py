from typing import TYPE_CHECKING

from cskh.notify.models import Notification

if TYPE_CHECKING:
    from cskh.cases.models import Case


def for_case(case: "Case") -> list[Notification]:
    return list(Notification.objects.filter(case=case).order_by("id"))


def for_customer(customer_id: int, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(customer_id=customer_id).order_by("-id")[:limit])
