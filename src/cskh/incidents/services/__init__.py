"""State changes for incidents, by seam:

- network: feeders and transformers (scope resolution)
- detection: the case_opened hook, thresholds, escalation
- lifecycle: creation, status changes (cskh.incidents.states), merge, edits, manual links
- links: case links and subscriptions
- notices: customer messages, paced by cskh.notify.broadcast
- cascade: after resolution/cancellation (resolve cases, notify)
- planned: planned outages (import, reschedule, notices and reminders)

This module re-exports what other apps call; code inside the app imports the module itself.
"""

from cskh.incidents.services.cascade import run_cascade
from cskh.incidents.services.detection import on_case_opened
from cskh.incidents.services.lifecycle import (
    create_incident,
    link_case,
    transition,
    update_incident,
)
from cskh.incidents.services.links import subscribe
from cskh.incidents.services.network import ensure_network_entries
from cskh.incidents.services.notices import next_batch_due, send_due_batches
from cskh.incidents.services.planned import (
    change_planned,
    deliver_planned_notices,
    import_planned,
)

__all__ = [
    "change_planned",
    "create_incident",
    "deliver_planned_notices",
    "ensure_network_entries",
    "import_planned",
    "link_case",
    "next_batch_due",
    "on_case_opened",
    "run_cascade",
    "send_due_batches",
    "subscribe",
    "transition",
    "update_incident",
]
