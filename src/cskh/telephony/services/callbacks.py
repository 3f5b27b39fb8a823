"""Scheduled callbacks (at the time the customer chose, with a reminder) and click-to-call
through the PBX adapter (cskh.telephony.pbx)."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import uuid4

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.core import audit, live
from cskh.core.errors import DomainError, NotFound
from cskh.core.phones import to_e164
from cskh.customers.models import Customer
from cskh.org.models import User
from cskh.telephony.models import (
    ScheduledCallback,
)

log = logging.getLogger("cskh.telephony")


CALLBACK_MAX_DAYS = 30


@transaction.atomic
def schedule_callback(
    *,
    actor: User,
    customer: Customer,
    due_at: datetime,
    phone: str = "",
    note: str = "",
    now: datetime | None = None,
) -> ScheduledCallback:
    """A callback at the time the customer chose (not in the past, within 30 days), owned by
    the agent who promised it. ``phone``: the number to call (default: the customer's first)."""
    from datetime import timedelta

    now = now or timezone.now()
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at < now - timedelta(minutes=1):
        raise DomainError(_("Giờ hẹn gọi lại đã qua."), code="callback_in_past")
    if due_at > now + timedelta(days=CALLBACK_MAX_DAYS):
        raise DomainError(
            _("Chỉ hẹn gọi lại trong vòng %(d)s ngày.") % {"d": CALLBACK_MAX_DAYS},
            code="callback_too_far",
        )
    number = to_e164(phone) if phone else ""
    if not number:
        first = customer.phones.order_by("id").first()
        if first is None:
            raise DomainError(_("Khách hàng chưa có số điện thoại."), code="no_phone")
        number = first.e164
    row = ScheduledCallback.objects.create(
        customer=customer, phone=number, due_at=due_at, note=(note or "")[:500], agent=actor
    )
    audit.record(
        actor=actor,
        action="callback.scheduled",
        obj=row,
        changes={"due_at": due_at.isoformat(), "phone": number},
    )
    return row


@transaction.atomic
def finish_scheduled_callback(
    *, callback: ScheduledCallback, actor: User, cancelled: bool = False
) -> ScheduledCallback:
    row = ScheduledCallback.objects.select_for_update().get(pk=callback.pk)
    if row.agent_id != actor.pk:
        raise NotFound(_("Không tìm thấy lịch hẹn gọi lại."))
    if row.status != ScheduledCallback.Status.SCHEDULED:
        return row
    row.status = ScheduledCallback.Status.CANCELLED if cancelled else ScheduledCallback.Status.DONE
    row.done_at = timezone.now()
    row.save(update_fields=["status", "done_at"])
    return row


def remind_due_callbacks(*, now: datetime | None = None, limit: int = 500) -> int:
    """Tell each agent on the desk about their callbacks due within
    CSKH_CALLBACK_REMIND_MINUTES (once per callback). Returns how many were sent."""
    from datetime import timedelta

    from django.conf import settings

    now = now or timezone.now()
    horizon = now + timedelta(minutes=settings.CSKH_CALLBACK_REMIND_MINUTES)
    rows = list(
        ScheduledCallback.objects.filter(
            status=ScheduledCallback.Status.SCHEDULED, reminded_at__isnull=True, due_at__lte=horizon
        )
        .select_related("customer")
        .order_by("due_at")[:limit]
    )
    sent = 0
    for row in rows:
        with transaction.atomic():
            if not ScheduledCallback.objects.filter(pk=row.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another worker reminded it
            live.publish(
                live.agent_channel(row.agent_id),
                {
                    "type": "callback_due",
                    "callback": row.pk,
                    "customer": row.customer_id,
                    "name": row.customer.full_name,
                    "phone": row.phone,
                    "due_at": row.due_at.isoformat(),
                    "note": row.note,
                },
            )
            sent += 1
    return sent


def click_to_call(*, user: User, number: str, customer: Customer | None = None) -> str:
    """Ask the PBX to ring the agent's extension and dial ``number``. Returns the PBX call id
    (its call events then arrive as usual). Raises DomainError with a message for the agent."""
    from cskh.telephony.pbx import PbxError, get_adapter

    if not user.extension:
        raise DomainError(
            _("Tài khoản của bạn chưa có máy lẻ, không gọi ra được."), code="no_extension"
        )
    to = to_e164(number)
    reference = f"c2c-{user.pk}-{uuid4().hex[:12]}"
    try:
        call_id = get_adapter().originate(extension=user.extension, to=to, reference=reference)
    except PbxError as exc:
        log.warning("click-to-call failed: %s", exc)
        raise DomainError(
            _("Tổng đài không nhận lệnh gọi, vui lòng gọi bằng tay."), status=502, code="pbx_error"
        ) from exc
    audit.record(
        actor=user,
        action="telephony.click_to_call",
        obj=customer if customer is not None else user,
        changes={"to": to, "call_id": call_id, "reference": reference},
    )
    return call_id
