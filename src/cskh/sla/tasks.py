"""Periodic SLA escalation scan as a Django Task.

`escalation_scan` runs one scan. `periodic_escalation_scan(every=60)` runs one scan and enqueues
its own next run `every` seconds later (run_after), unless a next run is already queued — so
`cskh sla_scan --schedule` (or any caller) can start the chain any number of times and exactly
one chain keeps going on the database-backed worker (`cskh worker`). The scan itself is
idempotent (each escalation level fires once per clock), so an overlap is harmless anyway.
"""

import logging
from datetime import timedelta

from django.tasks import TaskResultStatus, task
from django.utils import timezone

log = logging.getLogger("cskh.sla")


@task()
def escalation_scan(limit: int = 1000) -> dict:
    """Fire due SLA warnings/breaches (idempotent: each step fires once per clock level)."""
    from cskh.sla.services import escalation_scan as scan

    return scan(limit=limit)


def _next_run_queued() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: no way to look, rely on idempotency
        return False
    path = periodic_escalation_scan.module_path
    return DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).exists()


def schedule(every: float = 60.0, *, delay: float | None = None) -> bool:
    """Enqueue the next periodic scan unless one is already waiting. True when enqueued."""
    if _next_run_queued():
        return False
    when = timezone.now() + timedelta(seconds=every if delay is None else delay)
    periodic_escalation_scan.using(run_after=when).enqueue(every)
    return True


@task()
def periodic_escalation_scan(every: float = 60.0) -> dict:
    from cskh.sla.services import escalation_scan as scan

    try:
        return scan()
    finally:
        try:
            schedule(every)
        except Exception:  # never lose the chain silently
            log.exception("could not schedule the next SLA scan")
