"""Background work of the reports app (Django Tasks), run by the periodic jobs."""

from typing import Any

from django.tasks import task


@task()
def refresh() -> dict[str, int]:
    """Every minute: today's rollups and every dirty day; then the wallboard is pushed."""
    from cskh.reports.services import rollups, wallboard

    done = rollups.refresh()
    wallboard.push()
    return done


@task()
def nightly_refresh() -> dict[str, int]:
    """The last CSKH_REPORTS_REFRESH_DAYS days (open cases turn late without any event)."""
    from django.conf import settings

    from cskh.reports.services import rollups

    return rollups.refresh(extra_days=int(settings.CSKH_REPORTS_REFRESH_DAYS))


@task()
def run_export(job_id: int) -> dict[str, Any]:
    from cskh.reports.services import exports

    job = exports.run_export(job_id)
    return {"status": job.status, "rows": job.done}


@task()
def send_subscriptions() -> dict[str, int]:
    from cskh.reports.services import subscriptions

    return subscriptions.send_due()
