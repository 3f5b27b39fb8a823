"""Grouping thresholds: IncidentRule rows override settings, which override built-in defaults.

Read on the hot path (every grouping case), so cached per process for a few seconds.
"""

import time
from dataclasses import dataclass

from django.conf import settings

from cskh.incidents.models import IncidentRule, Level

DEFAULTS = {
    Level.TRANSFORMER: {"min_cases": 3, "window_minutes": 15, "min_children": 0},
    Level.FEEDER: {"min_cases": 8, "window_minutes": 15, "min_children": 2},
    Level.WARD: {"min_cases": 5, "window_minutes": 15, "min_children": 0},
}
TTL_SECONDS = 5.0


@dataclass(frozen=True)
class Rule:
    level: str
    min_cases: int
    window_minutes: int
    min_children: int
    enabled: bool = True


_cache: dict = {"at": 0.0, "rules": None}


def clear_cache() -> None:
    _cache["at"] = 0.0
    _cache["rules"] = None


def rules() -> dict[str, Rule]:
    now = time.monotonic()
    if _cache["rules"] is not None and now - _cache["at"] < TTL_SECONDS:
        return _cache["rules"]
    merged: dict[str, Rule] = {}
    overrides = getattr(settings, "CSKH_INCIDENT_RULES", {}) or {}
    for level, base in DEFAULTS.items():
        spec = {**base, **overrides.get(str(level), {})}
        merged[str(level)] = Rule(level=str(level), **spec)
    for row in IncidentRule.objects.all():
        merged[row.level] = Rule(
            level=row.level,
            min_cases=max(1, row.min_cases),
            window_minutes=max(1, row.window_minutes),
            min_children=row.min_children,
            enabled=row.is_active,
        )
    _cache.update(at=now, rules=merged)
    return merged
