from datetime import timedelta

from django.tasks import task
from django.utils import timezone


@task()
def retrain(profile: str = "", every_hours: float = 0) -> dict:
    """Scheduled retraining (same as `cskh train`). With every_hours > 0 the task enqueues its
    next run, so one `retrain.enqueue(every_hours=24)` keeps a nightly schedule going."""
    from cskh.textintel.services import train_model

    try:
        result = train_model(profile or None)
    finally:
        if every_hours > 0:
            retrain.using(run_after=timezone.now() + timedelta(hours=every_hours)).enqueue(
                profile=profile, every_hours=every_hours
            )
    return result
