from django.tasks import task

from cskh.notify import worker


@task(queue_name="notify")
def deliver_notification(notification_id: int) -> dict:
    """Deliver one notification if it is still due (idempotent: claimed rows are skipped)."""
    return worker.run_once(batch=1, ids=[notification_id])


@task(queue_name="notify")
def deliver_pending(batch: int = 500) -> dict:
    """Deliver a batch of due notifications (bulk incident messages, retries)."""
    return worker.run_once(batch=batch)
