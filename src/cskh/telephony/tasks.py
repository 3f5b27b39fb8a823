"""Periodic telephony work as a Django Task, run by ``cskh scheduler`` (cskh.scheduler.jobs)."""

from django.tasks import task

from cskh.telephony import services


@task()
def tick() -> dict:
    """Close calls the PBX never ended (idempotent: a closed call is not open any more)."""
    return {"stale_calls": services.close_stale_calls()}
