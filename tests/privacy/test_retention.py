"""Retention per table with an injected clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.cases.models import Interaction
from cskh.core.models import AuditLog
from cskh.notify.models import Notification
from cskh.privacy import services
from cskh.privacy.models import AccessLog

pytestmark = pytest.mark.django_db


def test_purge_applies_each_tables_limit(pworld, settings):
    settings.CSKH_RETENTION_DAYS = {
        "recording_links": 30,
        "conversations": 60,
        "audit_log": 400,
        "outbox": 90,
        "access_log": 100,
        "webhook_events": 7,
    }
    call = pworld["call"]
    services.record_access(user=None, customer_id=1, action="card")
    n_notifications = Notification.objects.count()
    assert n_notifications > 0
    Notification.objects.update(status="sent")

    # 29 days later: nothing is old enough
    done = services.purge(now=timezone.now() + timedelta(days=29))
    assert done["recording_links"] == 0 and done["outbox"] == 0 and done["access_log"] == 0
    assert Interaction.objects.get(pk=call.pk).recording_url

    # 31 days: recording links go, the call stays
    done = services.purge(now=timezone.now() + timedelta(days=31))
    assert done["recording_links"] == 1
    assert Interaction.objects.get(pk=call.pk).recording_url == ""
    assert Notification.objects.count() == n_notifications

    # 91 days: finished outbox rows; 101: the access log; 401: the audit trail
    assert services.purge(now=timezone.now() + timedelta(days=91))["outbox"] == n_notifications
    assert AccessLog.objects.count() == 1
    assert services.purge(now=timezone.now() + timedelta(days=101))["access_log"] == 1
    assert AuditLog.objects.exists()
    services.purge(now=timezone.now() + timedelta(days=401))
    assert not AuditLog.objects.exists()


def test_pending_outbox_rows_are_kept(pworld, settings):
    settings.CSKH_RETENTION_DAYS = {**settings.CSKH_RETENTION_DAYS, "outbox": 1}
    Notification.objects.update(status="pending")
    assert services.purge(now=timezone.now() + timedelta(days=5))["outbox"] == 0


def test_purge_is_a_scheduled_job():
    from cskh.scheduler.jobs import JOBS

    job = next(j for j in JOBS if j.name == "privacy_purge")
    assert job.task == "cskh.privacy.tasks.purge"


def test_closed_conversations_and_webhooks_are_purged(pworld, settings):
    from cskh.conversations.models import ChannelIdentity, Conversation, Message, WebhookEvent

    now = timezone.now()
    old = now - timedelta(days=800)
    who = ChannelIdentity.objects.create(channel="zalo", external_id="u1", created_at=old)
    conv = Conversation.objects.create(
        channel="zalo",
        identity=who,
        external_thread_id="t-old",
        status="closed",
        last_message_at=old,
        created_at=old,
    )
    Message.objects.create(
        conversation=conv, channel="zalo", direction="in", text="x", status="received", sent_at=old
    )
    live = Conversation.objects.create(
        channel="zalo",
        identity=who,
        external_thread_id="t-live",
        last_message_at=old,
        created_at=old,
    )
    WebhookEvent.objects.create(
        channel="zalo", event_key="e1", body="{}", state="processed", received_at=old
    )
    WebhookEvent.objects.create(channel="zalo", event_key="e2", body="{}", received_at=old)
    done = services.purge(now=now)
    assert done["conversations"] == 1 and done["webhook_events"] == 1
    assert list(Conversation.objects.values_list("pk", flat=True)) == [live.pk]
    assert WebhookEvent.objects.get().event_key == "e2"  # not processed yet: kept
