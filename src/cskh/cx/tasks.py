"""Background work of the cx app (Django Tasks), run by the periodic jobs."""

from typing import Any

from django.tasks import task


@task()
def tick() -> dict[str, Any]:
    """Surveys: send due, remind once, expire; feed NPS campaigns; accrue referral rewards."""
    from cskh.cx.services import referrals, surveys

    done = surveys.tick()
    done["rewards"] = referrals.accrue()
    return done


@task()
def churn_nightly() -> dict[str, Any]:
    """Score every customer with the active model and queue those at risk."""
    from cskh.catalog.services import active_profile
    from cskh.core.errors import DomainError
    from cskh.cx.services import churn, retention

    profile = active_profile().code
    try:
        n = churn.score_all(profile=profile)
    except DomainError:  # no model yet
        return {"scored": 0}
    return {"scored": n, "queued": retention.queue_at_risk()}
