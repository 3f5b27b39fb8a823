from django.tasks import task


@task()
def retrain(profile: str = "") -> dict:
    """Retrain the case-type classifier (same as `cskh train`); the nightly run is a row in the
    scheduler's table (cskh.scheduler.jobs)."""
    from cskh.textintel.services import train_model

    return train_model(profile or None)
