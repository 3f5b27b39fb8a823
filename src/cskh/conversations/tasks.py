from django.tasks import task

from cskh.conversations.services import webhooks


@task()
def process_webhook(event_id: int) -> str:
    """Turn one stored webhook delivery into messages (idempotent)."""
    return webhooks.process(event_id)


@task()
def process_pending_webhooks() -> int:
    """Sweep deliveries whose task was lost."""
    return webhooks.process_pending()
