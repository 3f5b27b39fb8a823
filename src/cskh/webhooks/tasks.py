"""Webhook housekeeping as Django Tasks (run by ``cskh scheduler`` → ``cskh worker``)."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone


@task()
def purge() -> int:
    """Retention: finished deliveries (and their log) older than CSKH_WEBHOOKS_RETENTION_DAYS."""
    from cskh.webhooks import services

    days = int(settings.CSKH_WEBHOOKS_RETENTION_DAYS)
    return services.purge(before=timezone.now() - timedelta(days=days))
