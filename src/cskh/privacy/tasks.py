"""Background work of the privacy app (Django Tasks), run by the periodic jobs."""

from typing import Any

from django.tasks import task


@task()
def purge() -> dict[str, Any]:
    """Retention: delete or blank what is past its limit (settings.CSKH_RETENTION_DAYS)."""
    from cskh.privacy import services

    return services.purge()
