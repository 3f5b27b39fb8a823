"""Work orders for field units: dispatch, the unit's steps, redispatch and cancellation.

The only place that changes dispatch state, by seam:

- center: dispatch, redispatch, cancel, answer the unit's question
- field: the unit accepts, reports progress, asks, completes or returns the work order
- uploads: files on a work order (type from the bytes, size limit)
- hooks: reactions to the cases app (auto-dispatch after commit, withdraw on resolve)
- common: permissions, the journal, locking; status changes go through cskh.dispatch.states

Every step is written to the work order's own log, to the case timeline (kind "dispatch",
through cskh.cases.services) and to the audit log; the milestones a customer cares about queue
a notification in the same transaction:

- dispatched (with the expected time) → template "case_dispatched"
- technician on the way → "technician_on_way"
- needs your information → the case goes to "waiting_customer"; the notify hook sends "need_info"
- resolved → the case goes to "resolved"; the notify hook sends "case_resolved"

This module re-exports what other apps call; code inside the app imports the module itself.
"""

from cskh.dispatch.services.center import (
    cancel,
    dispatch_case,
    provide_info,
    redispatch,
    responsible_unit,
)
from cskh.dispatch.services.common import can_coordinate
from cskh.dispatch.services.field import accept, add_progress_note, complete, reject, request_info
from cskh.dispatch.services.hooks import auto_dispatch, on_case_opened, on_case_transitioned

__all__ = [
    "accept",
    "add_progress_note",
    "auto_dispatch",
    "can_coordinate",
    "cancel",
    "complete",
    "dispatch_case",
    "on_case_opened",
    "on_case_transitioned",
    "provide_info",
    "redispatch",
    "reject",
    "request_info",
    "responsible_unit",
]
