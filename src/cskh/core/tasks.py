"""Core housekeeping as Django Tasks (run by ``cskh scheduler`` → ``cskh worker``)."""

from django.tasks import task

from cskh.core.idempotency import purge_expired


@task()
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key answers older than 24 h (idempotent)."""
    return purge_expired()
