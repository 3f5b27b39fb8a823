from typing import TYPE_CHECKING

from cskh.notify.models import Notification

if TYPE_CHECKING:
    from cskh.cases.models import Case


def for_case(case: "Case") -> list[Notification]:
    return list(Notification.objects.filter(case=case).order_by("id"))


def for_customer(customer_id: int, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(customer_id=customer_id).order_by("-id")[:limit])


def export_for_customer(customer_id: int) -> list[dict[str, object]]:
    """Every message queued for the customer (access request)."""
    return [
        {
            "template": n.template,
            "purpose": n.purpose,
            "channel": n.channel,
            "to": n.to,
            "subject": n.subject,
            "body": n.body,
            "status": n.status,
            "created_at": n.created_at.isoformat(),
            "sent_at": n.sent_at.isoformat() if n.sent_at else None,
        }
        for n in Notification.objects.filter(customer_id=customer_id).order_by("id")
    ]
