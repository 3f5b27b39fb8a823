from cskh.notify.models import Notification


def for_case(case) -> list[Notification]:
    return list(Notification.objects.filter(case=case).order_by("id"))


def for_customer(customer_id: int, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(customer_id=customer_id).order_by("-id")[:limit])
