"""The outbox. Rows are written in the caller's transaction; delivery happens after commit."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, Engine
from django.template.base import Template as DjangoTemplate
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases.models import Case
from cskh.core import refcache
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.customers import selectors as customer_selectors
from cskh.customers.models import Customer
from cskh.notify.defaults import DEFAULTS
from cskh.notify.models import ChannelKind, DeliveryAttempt, Notification, Template
from cskh.org.models import User

log = logging.getLogger("cskh.notify")

# the channels of templated customer notifications (the others carry conversation replies)
CHANNELS = (ChannelKind.SMS.value, ChannelKind.ZALO.value, ChannelKind.EMAIL.value)
BULK_BATCH = 1000
_ENGINE = Engine(autoescape=False)


def fmt_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


@lru_cache(maxsize=512)
def _compile(source: str) -> DjangoTemplate:
    return _ENGINE.from_string(source)


# Active template rows, from the reference cache (bulk sends and escalation scans render
# thousands of messages). A saved template is seen at once in this process and within
# refcache.CHECK_SECONDS in the others (see core.refcache).
refcache.watch(Template, "notify.templates")


def clear_template_cache() -> None:
    refcache.invalidate("notify.templates")


def _template_row(code: str, channel: str) -> tuple[str, str, str] | None:
    return refcache.get("notify.templates", _load_templates).get((code, channel))


def _load_templates() -> dict[tuple[str, str], tuple[str, str, str]]:
    rows = Template.objects.filter(is_active=True).values_list(
        "code", "channel", "subject", "body", "zns_template_id"
    )
    return {(code, ch): (subject, body, zns) for code, ch, subject, body, zns in rows}


def _template_for(code: str, channel: str) -> tuple[str, str, str]:
    """(subject, body, ZNS template id) of the active row, else the built-in text."""
    row = _template_row(code, channel)
    if row:
        return row
    if code in DEFAULTS:
        subject, body = DEFAULTS[code]
        return _(subject), _(body), ""
    raise DomainError(
        _("Không có mẫu thông báo “%(c)s” cho kênh %(ch)s.") % {"c": code, "ch": channel},
        code="unknown_template",
    )


def render(code: str, channel: str, context: dict[str, Any]) -> tuple[str, str]:
    subject, body, _zns = _template_for(code, channel)
    ctx = _plain(context)
    c = Context(ctx, autoescape=False)
    return _compile(subject).render(c).strip()[:200], _compile(body).render(c).strip()


def _plain(context: dict[str, Any]) -> dict[str, Any]:
    return {k: (fmt_time(v) if isinstance(v, datetime) else v) for k, v in context.items()}


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Zns:
    """What a Zalo ZNS request carries instead of text: the template id registered with Zalo
    and `template_data`, one string per variable the template's body uses (ZNS parameters)."""

    template_id: str = ""
    data: dict[str, str] = field(default_factory=dict)


def zns_for(code: str, channel: str, context: dict[str, Any]) -> Zns:
    """The ZNS part of a Zalo message ({} for other channels or without a ZNS template id)."""
    if channel != ChannelKind.ZALO:
        return Zns()
    _subject, body, template_id = _template_for(code, channel)
    if not template_id:
        return Zns()
    ctx = _plain(context)
    data = {
        name: "" if ctx.get(name) is None else str(ctx[name])
        for name in dict.fromkeys(_VARIABLE.findall(body))
    }
    return Zns(template_id=template_id, data=data)


def address_for(customer: Customer, channel: str) -> str:
    """Where to send on a channel, or "" when the customer opted out or has no address."""
    if channel == ChannelKind.SMS:
        return customer.primary_phone() if customer.consent_sms else ""
    if channel == ChannelKind.ZALO:
        # Zalo ZNS messages are addressed to the phone number registered with Zalo.
        return customer.primary_phone() if customer.consent_zalo else ""
    if channel == ChannelKind.EMAIL:
        return customer.email if customer.consent_email else ""
    return ""


def choose_channel(customer: Customer, channel: str | None = None) -> tuple[str | None, str]:
    """(channel, address): the requested channel only, or the preferred one then the others."""
    if channel is not None:
        if channel not in CHANNELS:
            raise DomainError(_("Kênh thông báo không hợp lệ: %(c)s") % {"c": channel})
        order = [channel]
    else:
        preferred = customer.preferred_channel if customer.preferred_channel in CHANNELS else "sms"
        order = [preferred, *[c for c in CHANNELS if c != preferred]]
    for ch in order:
        to = address_for(customer, ch)
        if to:
            return ch, to
    return None, ""


def purpose_of(template: str) -> str:
    """The purpose of a customer message template (settings.CSKH_NOTIFY_TEMPLATE_PURPOSES;
    anything not listed is a service message)."""
    return str(settings.CSKH_NOTIFY_TEMPLATE_PURPOSES.get(template, "service"))


def _route(customer: Customer, channel: str | None, purpose: str) -> tuple[str | None, str, str]:
    """(channel, address, skip reason): no consent for the purpose → nothing is sent."""
    if not customer_selectors.has_consent(customer, purpose):
        return None, "", "no_consent_purpose"
    ch, to = choose_channel(customer, channel)
    return ch, to, "" if ch else "no_consent_or_address"


def _enqueue_one(notification_id: int) -> None:
    if not settings.CSKH_NOTIFY_ENQUEUE:
        return

    def go() -> None:
        from cskh.notify.tasks import deliver_notification

        try:
            deliver_notification.enqueue(notification_id)
        except Exception:  # the worker loop picks the row up anyway
            log.exception("could not enqueue delivery of notification %s", notification_id)

    transaction.on_commit(go)


def _insert(row: Notification, *, new_key: bool = False) -> tuple[Notification, bool]:
    """(the stored row, True) when new; (the earlier row, False) when its dedupe_key exists.

    ``new_key``: no other row can hold this dedupe_key (a random key, or one naming a row the
    caller's transaction just created, such as a new case): one plain INSERT, which returns
    the primary key. A duplicate would then be a bug, and raises IntegrityError.

    Otherwise ``bulk_create(ignore_conflicts=True)``, INSERT … ON CONFLICT DO NOTHING (INSERT
    OR IGNORE on SQLite): a duplicate neither raises nor needs a savepoint, and a writer racing
    another transaction on the same key waits for it instead of failing. It returns no primary
    key, so the row is read back by the unique key; it is the one just written when it carries
    this row's ``created_at`` (to the microsecond). Two writers of one key in the same
    microsecond would both enqueue its delivery; the delivery's lease still sends it once."""
    if new_key:
        row.save(force_insert=True)
        return row, True
    Notification.objects.bulk_create([row], ignore_conflicts=True)
    stored = Notification.objects.get(dedupe_key=row.dedupe_key)
    return stored, stored.created_at == row.created_at


def notify_customer(
    *,
    customer: Customer,
    template: str,
    context: dict[str, Any],
    case: Case | None = None,
    dedupe_key: str | None = None,
    channel: str | None = None,
    new_key: bool = False,
    purpose: str | None = None,
) -> Notification | None:
    """Queue a message to a customer. Returns the row, or None when the customer cannot be
    reached on an allowed channel (a "skipped" row is kept for the record). A dedupe_key seen
    before returns the earlier row (the unique key decides: no look-up first). ``new_key``:
    the caller knows no row can hold dedupe_key yet, because it names something created in the
    same transaction (the "received" message of a case just opened): a single INSERT, without
    the conflict handling and read-back (see _insert)."""
    now = timezone.now()
    key = (dedupe_key or f"auto:{uuid.uuid4().hex}")[:200]
    purpose = purpose or purpose_of(template)
    ch, to, skip = _route(customer, channel, purpose)
    subject, body = render(template, ch or channel or "sms", context)
    zns = zns_for(template, ch or "", context)
    row = Notification(
        customer=customer,
        case=case,
        template=template,
        purpose=purpose,
        channel=ch or channel or customer.preferred_channel or "sms",
        to=to,
        subject=subject,
        body=body,
        zns_template_id=zns.template_id,
        template_data=zns.data,
        status=Notification.Status.PENDING if ch else Notification.Status.SKIPPED,
        skip_reason=skip,
        next_attempt_at=now,
        dedupe_key=key,
        created_at=now,
    )
    row, created = _insert(row, new_key=new_key or not dedupe_key)
    if not created:
        return row if row.status != Notification.Status.SKIPPED else None
    if not ch:
        return None
    _enqueue_one(row.pk)
    return row


def case_context(case: Case, **extra: Any) -> dict[str, Any]:
    """The standard template variables of a case (see admin → Mẫu thông báo)."""
    return {
        "case_number": case.number,
        "case_type": case.case_type.name,
        "due_at": case.due_at,
        "unit_name": case.unit.name if case.unit is not None else "",
        "resolution": case.resolution,
        **extra,
    }


@transaction.atomic
def notify_address(
    *,
    channel: str,
    to: str,
    template: str,
    context: dict[str, Any],
    user: User | None = None,
    case: Case | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Internal messages (SLA escalations to staff): a known address, no consent flags."""
    if channel not in CHANNELS or not to:
        return None
    now = timezone.now()
    subject, body = render(template, channel, context)
    zns = zns_for(template, channel, context)
    row, created = _insert(
        Notification(
            user=user,
            case=case,
            template=template,
            channel=channel,
            to=to[:254],
            subject=subject,
            body=body,
            zns_template_id=zns.template_id,
            template_data=zns.data,
            next_attempt_at=now,
            dedupe_key=(dedupe_key or f"auto:{uuid.uuid4().hex}")[:200],
            created_at=now,
        ),
        new_key=not dedupe_key,
    )
    if created:
        _enqueue_one(row.pk)
    return row


@transaction.atomic
def notify_customers(
    *,
    customer_ids: Iterable[int],
    template: str,
    context: dict[str, Any],
    incident_id: int | None = None,
    dedupe_prefix: str,
    channel: str | None = None,
    purpose: str | None = None,
) -> int:
    """Bulk variant for incidents: one row per reachable customer, inserted in batches.
    The dedupe key is f"{dedupe_prefix}:{customer_id}", so calling twice sends once.
    Returns the number of rows queued for sending."""
    now = timezone.now()
    purpose = purpose or purpose_of(template)
    rendered: dict[str | None, tuple[str, str, Zns]] = {}
    ids = list(dict.fromkeys(int(i) for i in customer_ids))
    queued = 0
    for start in range(0, len(ids), BULK_BATCH):
        chunk = ids[start : start + BULK_BATCH]
        rows = []
        for customer in Customer.objects.filter(pk__in=chunk).prefetch_related("phones"):
            ch, to, skip = _route(customer, channel, purpose)
            key = f"{dedupe_prefix}:{customer.pk}"[:200]
            if ch not in rendered:
                rendered[ch] = (
                    *render(template, ch or "sms", context),
                    zns_for(template, ch or "", context),
                )
            subject, body, zns = rendered[ch]
            rows.append(
                Notification(
                    customer=customer,
                    incident_id=incident_id,
                    template=template,
                    purpose=purpose,
                    channel=ch or customer.preferred_channel or "sms",
                    to=to,
                    subject=subject,
                    body=body,
                    zns_template_id=zns.template_id,
                    template_data=zns.data,
                    status=Notification.Status.PENDING if ch else Notification.Status.SKIPPED,
                    skip_reason=skip,
                    next_attempt_at=now,
                    dedupe_key=key,
                    created_at=now,
                )
            )
        keys = [r.dedupe_key for r in rows]
        already = set(
            Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
        )
        fresh = [r for r in rows if r.dedupe_key not in already]
        Notification.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
        queued += sum(1 for r in fresh if r.status == Notification.Status.PENDING)
    if queued and settings.CSKH_NOTIFY_ENQUEUE:

        def go() -> None:
            from cskh.notify.tasks import deliver_pending

            try:
                for _i in range(min(8, (queued + BULK_BATCH - 1) // BULK_BATCH)):
                    deliver_pending.enqueue()
            except Exception:
                log.exception("could not enqueue bulk delivery")

        transaction.on_commit(go)
    return queued


@transaction.atomic
def retry(*, notification: Notification, actor: Actor = None) -> Notification:
    """Put a failed notification back in the queue (admin / API)."""
    n = Notification.objects.select_for_update().get(pk=notification.pk)
    if n.status != Notification.Status.FAILED:
        raise DomainError(_("Chỉ gửi lại được thông báo đã thất bại."), status=409, code="state")
    n.status = Notification.Status.PENDING
    n.next_attempt_at = timezone.now()
    n.save(update_fields=["status", "next_attempt_at"])
    _enqueue_one(n.pk)
    return n


@transaction.atomic
def queue_text(
    *,
    channel: str,
    to: str,
    body: str,
    dedupe_key: str,
    subject: str = "",
    customer: Customer | None = None,
    case: Case | None = None,
    template: str = "conversation_reply",
) -> Notification:
    """A free text already written (an agent's reply in a conversation) to one address on any
    channel, delivered by the outbox worker like every other message: retries with back-off,
    and the dedupe key makes a second call return the first row (never sent twice)."""
    if channel not in ChannelKind.values or not to:
        raise DomainError(_("Kênh hoặc người nhận không hợp lệ."), code="bad_channel")
    now = timezone.now()
    row, created = _insert(
        Notification(
            customer=customer,
            case=case,
            template=template,
            channel=channel,
            to=to[:254],
            subject=subject[:200],
            body=body,
            next_attempt_at=now,
            dedupe_key=dedupe_key[:200],
            created_at=now,
        )
    )
    if created:
        _enqueue_one(row.pk)
    return row


# --------------------------------------------------------------------------- personal data

ERASED_TEXT = "[đã xoá theo yêu cầu của khách hàng]"


@transaction.atomic
def anonymise_customer(*, customer_id: int) -> dict[str, int]:
    """The customer's outbox rows keep template, purpose, channel, status and times (delivery
    statistics); the address, the text and the ZNS parameters go, and nothing still waiting
    is sent any more."""
    rows = Notification.objects.filter(customer_id=customer_id)
    stopped = rows.filter(
        status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
    ).update(status=Notification.Status.SKIPPED, skip_reason="erased", lease_owner="")
    erased = rows.update(to="", subject="", body=ERASED_TEXT, template_data={}, last_error="")
    DeliveryAttempt.objects.filter(notification__customer_id=customer_id).update(error="")
    return {"notifications": erased, "stopped": stopped}


@transaction.atomic
def purge(*, before: datetime) -> int:
    """Retention: finished outbox rows (sent, failed, skipped) created before ``before`` are
    deleted with their delivery attempts; rows still to be delivered stay."""
    return (
        Notification.objects.filter(created_at__lt=before)
        .exclude(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
        .delete()[1]
        .get("notify.Notification", 0)
    )
