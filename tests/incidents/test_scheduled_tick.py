"""The incident tick is a row of `cskh scheduler`'s table: a due scheduler tick enqueues it and
the task worker sends the day-before planned-outage reminder (nothing else starts it)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cskh.incidents import services
from cskh.incidents.importer import parse_schedule
from cskh.incidents.models import Incident
from cskh.notify.models import Notification
from cskh.scheduler import services as scheduler
from cskh.scheduler.jobs import JOBS

pytestmark = pytest.mark.django_db

HEADER = "Mã,Khu vực,Tuyến,Trạm,Bắt đầu,Kết thúc,Lý do\n"


def fmt(dt):
    return timezone.localtime(dt).strftime("%d/%m/%Y %H:%M")


def test_scheduler_sends_the_day_before_reminder(network, lead):
    now = timezone.now()
    start = now + timedelta(days=6)
    csv = HEADER + f"LC-01,26743,,T1,{fmt(start)},{fmt(start + timedelta(hours=4))},Bảo trì\n"
    services.import_planned(rows=parse_schedule(csv.encode(), "a.csv"), actor=lead)
    services.deliver_planned_notices(now=now)  # the notice, 6 days ahead
    inc = Incident.objects.get(schedule_code="LC-01")
    assert inc.notice_sent_at is not None and inc.reminder_sent_at is None
    # five days later: the outage starts in 20 hours
    Incident.objects.filter(pk=inc.pk).update(
        started_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=24)
    )
    tick = [job for job in JOBS if job.name == "incidents_tick"]
    assert scheduler.tick(jobs=tick) == ["incidents_tick"]
    (queued,) = DBTaskResult.objects.ready()  # what `cskh worker` picks up
    queued.task.call()
    reminders = Notification.objects.filter(incident_id=inc.pk, template="planned_outage_reminder")
    assert set(reminders.values_list("customer_id", flat=True)) == {c.pk for c in network["T1"]}
    assert scheduler.tick(jobs=tick) == []  # not due again within the minute
