"""Webhook subscriptions and deliveries: the only place that changes this app's tables.

An event becomes, inside the caller's transaction, one Delivery per listening subscription and
one outbox row (``notify``, channel ``webhook``) per Delivery: nothing leaves before the commit,
and the outbox worker sends, retries with back-off and takes over a dead worker's rows. The
sender (``sender.WebhookBackend``) reports each HTTP attempt back here (``record_attempt``)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit, refcache
from cskh.core.errors import Conflict, DomainError
from cskh.core.types import Actor
from cskh.notify import services as notify
from cskh.org.models import User
from cskh.webhooks import security
from cskh.webhooks.models import PING, Attempt, Delivery, Event, Subscription

log = logging.getLogger("cskh.webhooks")

FAMILY = "webhooks.subscribers"


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


# --------------------------------------------------------------------------- events


def _load_subscribers() -> dict[str, tuple[int, ...]]:
    by_event: dict[str, list[int]] = {}
    for pk, events in Subscription.objects.filter(is_active=True).values_list("id", "events"):
        for event in events or ():
            by_event.setdefault(str(event), []).append(pk)
    return {event: tuple(ids) for event, ids in by_event.items()}


def subscribers(event: str) -> tuple[int, ...]:
    """Active subscriptions listening to event (cached per process: no query per case)."""
    return refcache.get(FAMILY, _load_subscribers).get(event, ())


def body_for(*, event: str, event_id: uuid.UUID, data: dict[str, Any], at: datetime) -> str:
    """The JSON text sent: {"id", "event", "created_at", "data"}."""
    payload = {"id": str(event_id), "event": event, "created_at": at.isoformat(), "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _queue(delivery: Delivery, n: int) -> int:
    row = notify.queue_text(
        channel="webhook",
        to=str(delivery.uid),
        subject=delivery.event,
        body=delivery.body,
        dedupe_key=f"webhook:{delivery.uid}:{n}",
        template="webhook",
    )
    return row.pk


def emit(*, event: str, data: dict[str, Any], subscription_ids: Iterable[int] | None = None) -> int:
    """Queue event for its subscribers (or the given ones). Call inside the transaction that
    made the change: it is sent only if that commits. Returns the number of deliveries."""
    ids = tuple(subscription_ids) if subscription_ids is not None else subscribers(event)
    if not ids:
        return 0
    now = timezone.now()
    event_id = uuid.uuid4()
    body = body_for(event=event, event_id=event_id, data=data, at=now)
    with transaction.atomic():
        for sub_id in ids:
            delivery = Delivery(
                subscription_id=sub_id, event=event, event_id=event_id, body=body, created_at=now
            )
            delivery.notification_id = _queue(delivery, 0)
            delivery.save(force_insert=True)
    return len(ids)


# --------------------------------------------------------------------------- subscriptions


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = sorted({str(e).strip() for e in events})
    bad = [e for e in chosen if e not in Event.values]
    if bad or not chosen:
        raise DomainError(
            _("Sự kiện không hợp lệ: %(e)s. Chọn trong: %(all)s.")
            % {"e": ", ".join(bad) or "—", "all": ", ".join(Event.values)},
            code="bad_event",
        )
    return chosen


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise DomainError(_("Thiếu tên webhook."), code="missing_name")
    return name


@transaction.atomic
def create_subscription(
    *, name: str, url: str, events: Iterable[str], actor: Actor = None, is_active: bool = True
) -> tuple[Subscription, str]:
    """Returns the subscription and its secret (shown to the caller this once)."""
    url = (url or "").strip()
    security.check_url(url)
    sub = Subscription.objects.create(
        name=_clean_name(name),
        url=url,
        events=_clean_events(events),
        secret=security.new_secret(),
        is_active=is_active,
        created_by=_user(actor),
    )
    audit.record(
        actor=actor, action="webhook.create", obj=sub, changes={"url": url, "events": sub.events}
    )
    return sub, sub.secret


@transaction.atomic
def update_subscription(
    *,
    subscription: Subscription,
    actor: Actor = None,
    name: str | None = None,
    url: str | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> Subscription:
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    changes: dict[str, Any] = {}
    if name is not None:
        sub.name = _clean_name(name)
    if url is not None and url.strip() != sub.url:
        url = url.strip()
        security.check_url(url)
        changes["url"] = [sub.url, url]
        sub.url = url
    if events is not None:
        chosen = _clean_events(events)
        changes["events"] = [sub.events, chosen]
        sub.events = chosen
    if is_active is not None and is_active != sub.is_active:
        changes["is_active"] = [sub.is_active, is_active]
        sub.is_active = is_active
        if is_active:  # re-enabled by a person: a fresh count
            sub.consecutive_failures = 0
            sub.disabled_reason = ""
            sub.disabled_at = None
        else:
            sub.disabled_reason = _("Tắt bởi người dùng.")
            sub.disabled_at = timezone.now()
    sub.save()
    audit.record(actor=actor, action="webhook.update", obj=sub, changes=changes)
    return sub


@transaction.atomic
def delete_subscription(*, subscription: Subscription, actor: Actor = None) -> None:
    """Deletes it with its deliveries and their log; outbox rows still waiting are skipped by
    the sender (their delivery is gone)."""
    audit.record(actor=actor, action="webhook.delete", obj=subscription, changes={})
    subscription.delete()


@transaction.atomic
def rotate_secret(*, subscription: Subscription, actor: Actor = None) -> tuple[Subscription, str]:
    """A new secret; the old one still signs (a second v1=) for CSKH_WEBHOOKS_SECRET_OVERLAP_HOURS
    so the receiver can switch without losing deliveries."""
    sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
    sub.previous_secret = sub.secret
    sub.previous_secret_until = timezone.now() + timedelta(
        hours=settings.CSKH_WEBHOOKS_SECRET_OVERLAP_HOURS
    )
    sub.secret = security.new_secret()
    sub.save()
    audit.record(actor=actor, action="webhook.rotate_secret", obj=sub, changes={})
    return sub, sub.secret


def signing_keys(sub: Subscription, now: datetime) -> list[str]:
    keys = [sub.secret]
    if sub.previous_secret and sub.previous_secret_until and sub.previous_secret_until > now:
        keys.append(sub.previous_secret)
    return keys


@transaction.atomic
def ping(*, subscription: Subscription, actor: Actor = None) -> Delivery:
    """A test delivery (event "ping") to this subscription, through the outbox like any other."""
    if not subscription.is_active:
        raise Conflict(_("Webhook đang tắt; bật lại trước khi gửi thử."), code="inactive")
    emit(
        event=PING,
        data={"subscription_id": subscription.pk, "message": "ping"},
        subscription_ids=[subscription.pk],
    )
    delivery = Delivery.objects.filter(subscription=subscription, event=PING).latest("id")
    audit.record(actor=actor, action="webhook.ping", obj=subscription, changes={})
    return delivery


@transaction.atomic
def redeliver(*, delivery: Delivery, actor: Actor = None) -> Delivery:
    """Send the same body again, with the same delivery id (X-Cskh-Delivery), so a receiver
    that already has it drops it. A new outbox row: new attempts and back-off."""
    d = Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    if not d.subscription.is_active:
        raise Conflict(_("Webhook đang tắt; bật lại trước khi gửi lại."), code="inactive")
    if d.status == Delivery.Status.PENDING:
        raise Conflict(_("Lần chuyển này vẫn đang được gửi."), code="pending")
    d.redeliveries = F("redeliveries") + 1
    d.save(update_fields=["redeliveries"])
    d.refresh_from_db(fields=["redeliveries"])
    d.notification_id = _queue(d, d.redeliveries)
    d.status = Delivery.Status.PENDING
    d.save(update_fields=["notification_id", "status"])
    audit.record(actor=actor, action="webhook.redeliver", obj=d.subscription, changes={"d": d.uid})
    return d


# --------------------------------------------------------------------------- delivery log


@transaction.atomic
def record_attempt(
    *,
    delivery: Delivery,
    number: int,
    started_at: datetime,
    latency_ms: int,
    status_code: int | None,
    ok: bool,
    error: str = "",
    response_excerpt: str = "",
    final: bool = False,
    counts: bool = True,
) -> Attempt:
    """One HTTP attempt: the log row, the delivery's state, the subscription's failure count.
    ``final``: the outbox gives up after this one. ``counts``: a failure that says something
    about the receiver (not "the subscription was switched off")."""
    now = timezone.now()
    attempt = Attempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started_at,
        latency_ms=latency_ms,
        status_code=status_code,
        ok=ok,
        error=error[:500],
        response_excerpt=response_excerpt[: settings.CSKH_WEBHOOKS_RESPONSE_EXCERPT],
    )
    status = (
        Delivery.Status.SUCCEEDED
        if ok
        else (Delivery.Status.FAILED if final else Delivery.Status.PENDING)
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        status=status,
        last_status_code=status_code,
        last_error=error[:500],
        last_attempt_at=now,
    )
    subs = Subscription.objects.filter(pk=delivery.subscription_id)
    if ok:
        subs.update(consecutive_failures=0, last_success_at=now)
    elif counts:
        subs.update(consecutive_failures=F("consecutive_failures") + 1, last_failure_at=now)
        sub = subs.first()
        limit = int(settings.CSKH_WEBHOOKS_DISABLE_AFTER)
        if sub is not None and sub.is_active and limit and sub.consecutive_failures >= limit:
            _disable(sub, error=error or f"HTTP {status_code}")
    return attempt


def _disable(sub: Subscription, *, error: str) -> None:
    """Switch a failing subscription off and tell its owner (e-mail) and the audit trail."""
    sub.is_active = False
    sub.disabled_at = timezone.now()
    sub.disabled_reason = (
        _("Tự động tắt sau %(n)s lần gửi lỗi liên tiếp.") % {"n": sub.consecutive_failures}
    )[:200]
    sub.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    audit.record(
        actor=None,
        action="webhook.disabled",
        obj=sub,
        changes={"failures": sub.consecutive_failures, "error": error[:200]},
    )
    log.warning(
        "webhook %s disabled after %s consecutive failures", sub.pk, sub.consecutive_failures
    )
    owner = sub.created_by
    if owner is not None and owner.email:
        notify.notify_address(
            channel="email",
            to=owner.email,
            template="webhook_disabled",
            context={
                "name": sub.name,
                "url": sub.url,
                "failures": sub.consecutive_failures,
                "error": error[:200],
            },
            user=owner,
            dedupe_key=f"webhook-disabled:{sub.pk}:{int(sub.disabled_at.timestamp())}",
        )


@transaction.atomic
def purge(*, before: datetime) -> int:
    """Retention: finished deliveries created before ``before`` go, with their log."""
    return (
        Delivery.objects.filter(created_at__lt=before)
        .exclude(status=Delivery.Status.PENDING)
        .delete()[1]
        .get("webhooks.Delivery", 0)
    )
