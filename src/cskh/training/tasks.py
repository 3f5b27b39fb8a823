"""Background work of the training app (Django Tasks), run by the periodic jobs."""

from django.tasks import task


@task()
def remind_overdue() -> int:
    """Remind the agents who have not confirmed a mandatory change past its due date."""
    from cskh.training import services

    return services.remind_overdue()
