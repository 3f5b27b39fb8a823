from django.tasks import task


@task()
def escalation_scan(limit: int = 1000) -> dict:
    """Fire due SLA warnings/breaches (idempotent: each step fires once per clock level)."""
    from cskh.sla.services import escalation_scan as scan

    return scan(limit=limit)
