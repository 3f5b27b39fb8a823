from django.tasks import task


@task()
def nightly_forecast() -> dict:
    """Forecast every staffing queue from the history (the nightly row of the scheduler's
    table, cskh.scheduler.jobs); idempotent: each run adds a new ForecastRun, pages read the
    latest."""
    from cskh.wfm.services import forecasts

    runs = forecasts.run_all()
    return {"runs": len(runs), "methods": {r.queue.code: r.method for r in runs}}
