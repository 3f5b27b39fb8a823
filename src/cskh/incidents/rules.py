"""Grouping thresholds: IncidentRule rows override settings, which override built-in defaults.

settings.CSKH_INCIDENT_RULES (or the environment variable of the same name, JSON) looks like
{"transformer": {"min_cases": 3, "window_minutes": 15}, "feeder": {"min_children": 2}}; a
"window_seconds" key may replace "window_minutes" (used by the storm benchmark, which replays
30 simulated minutes in well under a real minute).

Read on the hot path (every grouping case), so kept in the reference cache (family
"incidents.rules"): an edited rule is seen at once by the process that saved it and within
refcache.CHECK_SECONDS by every other one (see core.refcache).
"""

from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings

from cskh.core import refcache
from cskh.incidents.models import IncidentRule, Level

DEFAULTS = {
    Level.TRANSFORMER: {"min_cases": 3, "window_minutes": 15, "min_children": 0},
    Level.FEEDER: {"min_cases": 8, "window_minutes": 15, "min_children": 2},
    Level.WARD: {"min_cases": 5, "window_minutes": 15, "min_children": 0},
}


@dataclass(frozen=True)
class Rule:
    level: str
    min_cases: int
    window_minutes: float
    min_children: int
    enabled: bool = True


refcache.watch(IncidentRule, "incidents.rules")


def clear_cache() -> None:
    """Forget the merged rules everywhere (tests changing CSKH_INCIDENT_RULES call it)."""
    refcache.invalidate("incidents.rules")


def _overrides() -> dict:
    return settings.CSKH_INCIDENT_RULES or {}


def rules() -> MappingProxyType[str, Rule]:
    return refcache.get("incidents.rules", _load)


def _load() -> MappingProxyType[str, Rule]:
    merged: dict[str, Rule] = {}
    for level, base in DEFAULTS.items():
        spec = {**base, **_overrides().get(str(level), {})}
        if "window_seconds" in spec:
            spec["window_minutes"] = float(spec.pop("window_seconds")) / 60
        spec = {k: v for k, v in spec.items() if k in Rule.__dataclass_fields__}
        merged[str(level)] = Rule(level=str(level), **spec)
    for row in IncidentRule.objects.all():
        merged[row.level] = Rule(
            level=row.level,
            min_cases=max(1, row.min_cases),
            window_minutes=max(1, row.window_minutes),
            min_children=row.min_children,
            enabled=row.is_active,
        )
    return MappingProxyType(merged)
