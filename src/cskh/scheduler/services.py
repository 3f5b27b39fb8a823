"""Run the periodic-job table: find due jobs, take each one's lease, enqueue its task.

Several `cskh scheduler` processes (one per host, or more) may tick against the same database.
For each due job every process reads the lease row, and then tries

    UPDATE scheduler_joblease SET next_run_at = <next>, … WHERE name = %s AND next_run_at = <read>

Only one UPDATE can change the row: on PostgreSQL the others wait for the winner's row lock and
then re-check the WHERE clause against the new value (READ COMMITTED), on SQLite writes are
serialized. The losers see 0 rows updated and skip the job. Plain ORM, same on both databases.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.tasks import Task, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.module_loading import import_string

from cskh.scheduler.jobs import JOBS
from cskh.scheduler.models import JobLease
from cskh.scheduler.schedules import Job

log = logging.getLogger("cskh.scheduler")


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def task_of(job: Job) -> Task[..., Any]:
    task = import_string(job.task)
    if not isinstance(task, Task):
        raise TypeError(f"{job.task} is not a Django Task")
    return task


def enqueue(job: Job) -> str:
    """Enqueue the job's task; returns the task result id."""
    return task_of(job).enqueue(**job.kwargs).id


def still_waiting(job: Job, result_id: str) -> bool:
    """True while the job's last enqueued run has not been picked up by a worker."""
    if not result_id:
        return False
    task = task_of(job)
    if not task.get_backend().supports_get_result:
        return False
    try:
        return task.get_result(result_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:  # pruned, or another backend since
        return False


def _ensure_leases(jobs: Iterable[Job], now: datetime) -> dict[str, tuple[datetime, str]]:
    """The lease rows of `jobs` (name → (next_run_at, last_result_id)); a new job gets its row
    here."""
    jobs = list(jobs)
    fields = ("name", "next_run_at", "last_result_id")
    rows = {
        name: (due, rid)
        for name, due, rid in JobLease.objects.filter(name__in=[j.name for j in jobs]).values_list(
            *fields
        )
    }
    missing = [j for j in jobs if j.name not in rows]
    if missing:
        JobLease.objects.bulk_create(
            [JobLease(name=j.name, next_run_at=j.schedule.first(now)) for j in missing],
            ignore_conflicts=True,  # another scheduler may create it at the same moment
        )
        rows.update(
            (name, (due, rid))
            for name, due, rid in JobLease.objects.filter(
                name__in=[j.name for j in missing]
            ).values_list(*fields)
        )
    return rows


def tick(
    now: datetime | None = None,
    *,
    jobs: Iterable[Job] = JOBS,
    runner: str | None = None,
    submit: Callable[[Job], str | None] = enqueue,
) -> list[str]:
    """Start every job that is due at `now` and whose lease this call wins.

    Returns the names of the jobs started. `submit` defaults to enqueueing the job's task and
    returns its result id; a job whose previous run still waits for a worker is not enqueued
    again (its due time passes).
    """
    now = now or timezone.now()
    runner = runner or runner_name()
    jobs = list(jobs)
    leases = _ensure_leases(jobs, now)
    started: list[str] = []
    for job in jobs:
        due, last_result = leases.get(job.name, (None, ""))
        if due is None or due > now:
            continue
        won = JobLease.objects.filter(name=job.name, next_run_at=due).update(
            next_run_at=job.schedule.next_after(due, now), last_run_at=now, last_runner=runner
        )
        if not won:  # another scheduler took this due time
            continue
        # the lease update is already committed (autocommit): the enqueue below happens after
        # it, as with transaction.on_commit elsewhere
        try:
            if still_waiting(job, last_result):
                log.warning("scheduler: %s not enqueued, its last run still waits", job.name)
                continue
            result_id = submit(job)
        except Exception:  # one broken job must not stop the others; it runs again next time
            log.exception("scheduler: could not start %s", job.name)
            continue
        if result_id:
            JobLease.objects.filter(name=job.name).update(last_result_id=str(result_id))
        started.append(job.name)
    return started
