"""`cskh scheduler`: the periodic-job table, the lease that keeps N hosts from running N scans,
and due/not-due decisions on an injected clock."""

import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import Task
from django_tasks_db.models import DBTaskResult

from cskh.scheduler import services
from cskh.scheduler.jobs import JOBS
from cskh.scheduler.models import JobLease
from cskh.scheduler.schedules import DailyAt, Every, Job

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=HCM)
SCAN = Job(name="scan", schedule=Every(60), task="cskh.sla.tasks.escalation_scan")
NIGHTLY = Job(name="nightly", schedule=DailyAt(2, 30), task="cskh.textintel.tasks.retrain")


class Recorder:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, job: Job) -> None:
        with self.lock:
            self.started.append(job.name)


def test_the_table_lists_every_periodic_job_and_each_is_a_task():
    by_name = {job.name: job for job in JOBS}
    assert len(by_name) == len(JOBS)
    assert by_name["sla_escalation_scan"].task == "cskh.sla.tasks.escalation_scan"
    assert by_name["sla_escalation_scan"].schedule == Every(60)
    # planned-outage notices + the day-before reminder + cascades + due broadcast batches
    assert by_name["incidents_tick"].task == "cskh.incidents.tasks.deliver_planned_notices"
    assert by_name["incidents_tick"].schedule == Every(60)
    assert by_name["textintel_retrain"].task == "cskh.textintel.tasks.retrain"
    assert isinstance(by_name["textintel_retrain"].schedule, DailyAt)
    for job in JOBS:
        assert isinstance(services.task_of(job), Task), job.name


@pytest.mark.django_db
def test_a_job_runs_when_due_and_not_before():
    run = Recorder()
    assert services.tick(T0, jobs=[SCAN], submit=run) == ["scan"]  # a new job runs at once
    assert services.tick(T0 + timedelta(seconds=30), jobs=[SCAN], submit=run) == []
    assert services.tick(T0 + timedelta(seconds=59), jobs=[SCAN], submit=run) == []
    assert services.tick(T0 + timedelta(seconds=61), jobs=[SCAN], submit=run) == ["scan"]
    assert run.started == ["scan", "scan"]
    lease = JobLease.objects.get(name="scan")
    assert lease.next_run_at == T0 + timedelta(seconds=120)  # on the grid, no drift
    assert lease.last_run_at == T0 + timedelta(seconds=61)


@pytest.mark.django_db
def test_after_a_pause_a_job_runs_once_not_once_per_missed_slot():
    run = Recorder()
    services.tick(T0, jobs=[SCAN], submit=run)
    later = T0 + timedelta(minutes=10, seconds=5)
    assert services.tick(later, jobs=[SCAN], submit=run) == ["scan"]
    assert services.tick(later, jobs=[SCAN], submit=run) == []
    assert JobLease.objects.get(name="scan").next_run_at == T0 + timedelta(minutes=11)


@pytest.mark.django_db
def test_daily_job_runs_at_its_local_time_once_a_day():
    run = Recorder()
    assert services.tick(T0, jobs=[NIGHTLY], submit=run) == []  # 08:00: next is tomorrow 02:30
    night = datetime(2026, 3, 3, 2, 30, tzinfo=HCM)
    assert services.tick(night - timedelta(minutes=1), jobs=[NIGHTLY], submit=run) == []
    assert services.tick(night, jobs=[NIGHTLY], submit=run) == ["nightly"]
    assert services.tick(night + timedelta(hours=3), jobs=[NIGHTLY], submit=run) == []
    assert JobLease.objects.get(name="nightly").next_run_at == night + timedelta(days=1)


@pytest.mark.django_db
def test_a_scheduler_that_read_a_stale_lease_does_not_run_the_job_again():
    """A reads both leases, then B ticks completely (while A is busy starting its first job):
    A's conditional update of the second job must find the row already moved on."""
    other = Job(name="other", schedule=Every(60), task="cskh.sla.tasks.escalation_scan")
    b_run = Recorder()
    a_started: list[str] = []

    def a_submit(job: Job) -> None:
        a_started.append(job.name)
        if job.name == "scan":
            services.tick(T0, jobs=[SCAN, other], runner="B", submit=b_run)

    services.tick(T0 - timedelta(minutes=5), jobs=[SCAN, other], submit=Recorder())
    assert services.tick(T0, jobs=[SCAN, other], runner="A", submit=a_submit) == ["scan"]
    assert a_started == ["scan"] and b_run.started == ["other"]
    assert JobLease.objects.get(name="other").last_runner == "B"


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_at_once_run_a_due_job_once():
    """Two threads = two scheduler processes with their own database connections."""
    rounds = 8
    run = Recorder()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler(name: str) -> None:
        try:
            for k in range(rounds):
                barrier.wait(timeout=30)
                services.tick(
                    T0 + timedelta(minutes=k, seconds=1), jobs=[SCAN], runner=name, submit=run
                )
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(n,)) for n in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert run.started == ["scan"] * rounds


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others():
    other = Job(name="other", schedule=Every(60), task="cskh.sla.tasks.escalation_scan")

    def submit(job: Job) -> None:
        if job.name == "scan":
            raise RuntimeError("broker down")

    assert services.tick(T0, jobs=[SCAN, other], submit=submit) == ["other"]


@pytest.mark.django_db
def test_the_command_enqueues_the_due_tasks_once():
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert set(out.getvalue().split()) == {
        "sla_escalation_scan",
        "incidents_tick",
        "telephony_tick",
        "conversations_webhook_sweep",
        "cx_tick",
        "core_idempotency_purge",
        "reports_refresh",
        "social_tick",
    }
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == {
        "cskh.sla.tasks.escalation_scan",
        "cskh.incidents.tasks.deliver_planned_notices",
        "cskh.telephony.tasks.tick",
        "cskh.conversations.tasks.process_pending_webhooks",
        "cskh.cx.tasks.tick",
        "cskh.core.tasks.purge_idempotency_keys",
        "cskh.reports.tasks.refresh",
        "cskh.social.tasks.tick",
    }
    call_command("scheduler", "--once", stdout=StringIO())  # not due again within the minute
    assert DBTaskResult.objects.count() == 8
    listing = StringIO()
    call_command("scheduler", "--list", stdout=listing)
    assert all(job.name in listing.getvalue() for job in JOBS)


@pytest.mark.django_db
def test_a_job_is_not_enqueued_again_while_its_last_run_still_waits():
    """A stopped `cskh worker` must not come back to a backlog of one scan per minute."""
    from django.tasks import TaskResultStatus

    assert services.tick(T0, jobs=[SCAN]) == ["scan"]
    assert services.tick(T0 + timedelta(minutes=1), jobs=[SCAN]) == []  # still READY
    assert DBTaskResult.objects.count() == 1
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)  # a worker ran it
    assert services.tick(T0 + timedelta(minutes=2), jobs=[SCAN]) == ["scan"]
    assert DBTaskResult.objects.count() == 2
