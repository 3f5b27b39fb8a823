"""The SLA escalation scan as a Django Task, run every minute by ``cskh scheduler``
(see cskh.scheduler.jobs) on a ``cskh worker``."""

from django.tasks import task

from cskh.sla.services import escalation_scan as scan


@task()
def escalation_scan(limit: int = 1000) -> dict:
    """Fire due SLA warnings/breaches (idempotent: each step fires once per clock level)."""
    from cskh.core.observability import SLA_SCAN_SECONDS

    with SLA_SCAN_SECONDS.time():
        return scan(limit=limit)
