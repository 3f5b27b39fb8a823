"""Response due times and business hours of a conversation, per channel.

Targets are business minutes on a catalog business calendar (settings
CSKH_CONVERSATION_CHANNELS); when a case type is suggested its SLA policy's first-response
target applies instead. Laying the minutes on the calendar is the sla app's job
(``sla.calendar``): a message written at night is due counted from the next opening time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from cskh.catalog.models import BusinessCalendar, CaseType, Priority
from cskh.core import refcache
from cskh.sla.calendar import (
    CalendarSpec,
    add_business_minutes,
    business_minutes_between,
    calendar_spec,
)

URGENT_FIRST_RESPONSE = 10  # business minutes: a hazard written is answered like one phoned in


def channel_config(channel: str) -> dict[str, Any]:
    conf: dict[str, Any] = settings.CSKH_CONVERSATION_CHANNELS.get(channel, {})
    return conf


def _calendar(code: str) -> BusinessCalendar | None:
    return refcache.get(
        ("sla.calendar", "code", code),
        lambda: BusinessCalendar.objects.filter(code=code).first(),
    )


def spec_for(channel: str) -> CalendarSpec:
    code = channel_config(channel).get("calendar")
    calendar = _calendar(str(code)) if code else None
    return calendar_spec(calendar) if calendar is not None else CalendarSpec(always_open=True)


def is_open_at(channel: str, at: datetime) -> bool:
    """Within business hours (a minute of business time starts at `at`)."""
    spec = spec_for(channel)
    if spec.always_open:
        return True
    return business_minutes_between(spec, at, at + timedelta(minutes=1)) > 0


def next_opening(channel: str, at: datetime) -> datetime:
    """`at` itself in business hours, else when the channel's office opens next."""
    if is_open_at(channel, at):
        return at
    spec = spec_for(channel)
    return add_business_minutes(spec, at, 1) - timedelta(minutes=1)


def first_response_due(
    *, channel: str, at: datetime, case_type: CaseType | None = None, urgent: bool = False
) -> datetime:
    conf = channel_config(channel)
    minutes = float(conf.get("first_response", 60))
    spec = spec_for(channel)
    policy = case_type.sla_policy if case_type is not None else None
    if case_type is not None and policy is not None:
        priority = Priority.URGENT if urgent else case_type.default_priority
        minutes = min(minutes, float(policy.targets(priority)[0]))
        spec = calendar_spec(policy.calendar)
    if urgent:
        minutes = min(minutes, URGENT_FIRST_RESPONSE)
    return add_business_minutes(spec, at, minutes)


def next_response_due(*, channel: str, at: datetime) -> datetime:
    minutes = float(channel_config(channel).get("next_response", 120))
    return add_business_minutes(spec_for(channel), at, minutes)
