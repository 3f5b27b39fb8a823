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


def outbox_stats() -> tuple[dict[str, int], float]:
    """Rows per status (pending and sending: the queue) and the age in seconds of the oldest
    message that is due and not sent (the lag), for /metrics."""
    from django.db.models import Count, Min
    from django.utils import timezone

    now = timezone.now()
    counts = dict(
        Notification.objects.filter(status__in=["pending", "sending", "failed"])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    oldest = Notification.objects.filter(
        status__in=["pending", "sending"], next_attempt_at__lte=now
    ).aggregate(m=Min("created_at"))["m"]
    lag = (now - oldest).total_seconds() if oldest else 0.0
    return {s: int(counts.get(s, 0)) for s in ("pending", "sending", "failed")}, lag
