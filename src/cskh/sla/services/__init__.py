"""SLA services: due times (due), the per-case clock (clocks), escalations (escalation).

The sla app sits above cases: it reacts to case events through the hooks in
settings.CSKH_HOOKS and writes due times through cases' public services; cases never imports
sla. The names below are what other apps, commands, tests and benchmarks use.
"""

from cskh.sla.calendar import calendar_spec
from cskh.sla.services.clocks import (
    backfill_clocks,
    backfill_closed_clocks,
    on_case_opened,
    on_case_opening,
    on_case_priority_changed,
    on_case_replied,
    on_case_transitioned,
    pause_clock,
    recompute_clock,
    record_first_response,
    resume_clock,
    start_clock,
    stop_clock,
)
from cskh.sla.services.due import (
    clear_cache,
    compute_due,
    elapsed_now,
    warm_up,
)
from cskh.sla.services.escalation import (
    DEFAULT_LADDER,
    check_clock,
    due_clock_ids,
    escalation_scan,
)

__all__ = [
    "DEFAULT_LADDER",
    "backfill_clocks",
    "backfill_closed_clocks",
    "calendar_spec",
    "check_clock",
    "clear_cache",
    "compute_due",
    "due_clock_ids",
    "elapsed_now",
    "escalation_scan",
    "on_case_opened",
    "on_case_opening",
    "on_case_priority_changed",
    "on_case_replied",
    "on_case_transitioned",
    "pause_clock",
    "recompute_clock",
    "record_first_response",
    "resume_clock",
    "start_clock",
    "stop_clock",
    "warm_up",
]
