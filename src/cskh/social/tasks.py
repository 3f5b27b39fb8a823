"""Background work of the social app (Django Tasks)."""

from typing import Any

from django.tasks import task


@task()
def publish_reply(reply_id: int) -> str:
    """Publish one queued public reply through the page API adapter."""
    from cskh.social.services import replies

    return replies.deliver(reply_id)


@task()
def ingest_facebook(payload: Any) -> int:
    """Store the mentions of one Facebook page feed delivery (the webhook answers at once)."""
    from cskh.social.services import sources

    return sources.ingest_facebook_feed(payload)


@task()
def tick() -> dict[str, int]:
    """Every minute: poll due RSS/Atom feeds, re-queue stuck replies, crisis check."""
    from cskh.social.services import crisis, replies, sources

    polled = sources.poll_due_feeds()
    requeued = replies.requeue_stuck()
    alerts = crisis.check()
    return {"feed_items": polled, "requeued": requeued, "alerts": len(alerts)}
