"""Background work for incidents. Ids only; every task is idempotent.

The services enqueue these tasks, so the service modules are imported when a task runs.
"""

from django.tasks import task


@task(queue_name="notify")
def run_cascade(incident_id: int) -> dict:
    """Resolve linked cases and notify everyone in scope after resolution/cancellation."""
    from cskh.incidents.services import cascade

    return cascade.run_cascade(incident_id)


@task(queue_name="notify")
def deliver_planned_notices() -> dict:
    """Planned-outage notices, change notices and reminders that are due."""
    from cskh.incidents.services import planned

    return planned.deliver_planned_notices()


@task(queue_name="notify")
def send_notify_batches() -> dict:
    """Hand due notification slices to the outbox; re-schedules itself for the next slice."""
    from cskh.incidents.services import notices

    done = notices.send_due_batches()
    due = notices.next_batch_due()
    if due is not None:
        send_notify_batches.using(run_after=due).enqueue()
    return {"batches": done, "next": due.isoformat() if due else None}
