"""Explicit extension points between apps (no Django signals).

settings.CSKH_HOOKS maps an event name to the functions to call, in order, inside the caller's
transaction with keyword arguments. Apps that react to a case opening (incidents, dispatch,
notifications) are listed there, so the flow is readable in one place.

An entry is a dotted path, or {"path": dotted path, "after": [dotted paths]} for a hook that
needs the result of others (e.g. the "received" message quotes the due time SLA sets). The
system check `cskh.E010`/`cskh.E011` fails start-up when the list contradicts a declared order
or names a function that cannot be imported, so reordering the list cannot silently break a
dependency.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Entry:
    path: str
    after: tuple[str, ...] = ()


type RawEntry = str | Mapping[str, Any]  # a dotted path, or {"path": ..., "after": [...]}


def _entry(raw: RawEntry) -> Entry:
    if isinstance(raw, str):
        return Entry(raw)
    return Entry(str(raw["path"]), tuple(raw.get("after", ())))


def entries(event: str, config: Mapping[str, Iterable[RawEntry]] | None = None) -> list[Entry]:
    """The hooks of one event as configured (settings.CSKH_HOOKS unless `config` is given)."""
    if config is None:
        config = settings.CSKH_HOOKS
    return [_entry(raw) for raw in config.get(event, ())]


@cache
def _functions(event: str) -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(e.path) for e in entries(event))


def reload() -> None:
    """Forget the imported hook functions: the next run reads settings.CSKH_HOOKS again
    (after a settings change, e.g. in tests)."""
    _functions.cache_clear()


def run(hook: str, /, **kwargs: Any) -> None:
    for fn in _functions(hook):
        fn(**kwargs)


def order_errors(config: Mapping[str, Iterable[RawEntry]]) -> list[checks.CheckMessage]:
    """Every declared `after` that the list order contradicts, and every unknown path."""
    errors: list[checks.CheckMessage] = []
    for event in config:
        listed = entries(event, config)
        position = {e.path: i for i, e in enumerate(listed)}
        for i, e in enumerate(listed):
            try:
                import_string(e.path)
            except ImportError as exc:
                errors.append(
                    checks.Error(
                        f"CSKH_HOOKS[{event!r}]: cannot import {e.path}: {exc}",
                        id="cskh.E011",
                    )
                )
            for dep in e.after:
                if dep not in position:
                    errors.append(
                        checks.Error(
                            f"CSKH_HOOKS[{event!r}]: {e.path} runs after {dep}, "
                            "which is not in the list",
                            hint=f"Add {dep} before {e.path}, or drop the dependency.",
                            id="cskh.E010",
                        )
                    )
                elif position[dep] > i:
                    errors.append(
                        checks.Error(
                            f"CSKH_HOOKS[{event!r}]: {e.path} needs the result of {dep} "
                            "but is listed before it",
                            hint=f"Move {e.path} below {dep}.",
                            id="cskh.E010",
                        )
                    )
    return errors


@checks.register("cskh")
def check_hook_order(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return order_errors(settings.CSKH_HOOKS)
