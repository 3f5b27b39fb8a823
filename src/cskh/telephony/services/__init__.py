"""Telephony services, by topic: calls (PBX events, screen pops, stale calls), presence
(states, break reasons, wrap-up) and callbacks (scheduled callbacks, click-to-call)."""

from cskh.telephony.services.callbacks import (
    CALLBACK_MAX_DAYS,
    click_to_call,
    finish_scheduled_callback,
    remind_due_callbacks,
    schedule_callback,
)
from cskh.telephony.services.calls import (
    EVENTS,
    close_stale_calls,
    complete_callback,
    handle_call_event,
    resolve_agent,
    stale_before,
)
from cskh.telephony.services.presence import (
    acw_seconds,
    end_expired_after_call_work,
    set_presence,
    wrap_up_call,
)

__all__ = [
    "CALLBACK_MAX_DAYS",
    "EVENTS",
    "acw_seconds",
    "click_to_call",
    "close_stale_calls",
    "complete_callback",
    "end_expired_after_call_work",
    "finish_scheduled_callback",
    "handle_call_event",
    "remind_due_callbacks",
    "resolve_agent",
    "schedule_callback",
    "set_presence",
    "stale_before",
    "wrap_up_call",
]
