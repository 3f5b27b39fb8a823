"""Periodic telephony work as a Django Task, run by ``cskh scheduler`` (cskh.scheduler.jobs)."""

from django.tasks import task

from cskh.telephony import services


@task()
def tick() -> dict:
    """Close calls the PBX never ended; end after-call work that ran past CSKH_ACW_SECONDS
    (idempotent: a closed call or a ready agent is left alone)."""
    return {
        "stale_calls": services.close_stale_calls(),
        "acw_ended": services.end_expired_after_call_work(),
        "callback_reminders": services.remind_due_callbacks(),
    }
