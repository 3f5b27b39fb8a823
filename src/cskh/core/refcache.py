"""Process-local cache of slow-changing reference data: the catalog (profiles, case types, SLA
policies, routing rules), units and their service areas, escalation rules, API tokens.

Opening a case used to read all of these from the database on every request (a dozen queries
out of 35). Configuration changes a few times a day, cases arrive hundreds of times a minute.

Consistency: a save or delete of a registered model clears this process's cache at once and
bumps a version number in the shared cache (Redis, or the database cache); every other process
compares that version at most once every CHECK_SECONDS and drops its copy when it changed. So a
change made in the admin is seen everywhere within about CHECK_SECONDS. Bulk updates
(``QuerySet.update``) send no signals: code doing them calls :func:`invalidate`.

Cached values are shared by the threads of a process: treat them as read-only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

CHECK_SECONDS = 2.0
VERSION_KEY = "cskh:refcache:version"
_MISSING = object()

_lock = threading.Lock()
_data: dict[Any, Any] = {}
_state = {"version": None, "checked": 0.0}


def get[T](key: Any, loader: Callable[[], T]) -> T:
    """The cached value for key, computed by loader() on a miss (loader may hit the database).
    None is never stored (unknown keys, e.g. random tokens, must not fill the memory)."""
    _maybe_refresh()
    value = _data.get(key, _MISSING)
    if value is _MISSING:
        version = _state["version"]
        value = loader()
        with _lock:
            if value is not None and _state["version"] == version:  # not invalidated meanwhile
                _data[key] = value
    return value


def clear() -> None:
    """Forget everything in this process (tests call it between cases)."""
    with _lock:
        _data.clear()
        _state["checked"] = 0.0


def invalidate(**_kwargs) -> None:
    """Reference data changed: drop this process's copy now, tell the others (also after the
    commit, so nobody reloads the old rows in between)."""
    clear()
    _bump()
    try:
        transaction.on_commit(_after_commit)
    except Exception:  # no usable connection (e.g. during shutdown): the bump above is enough
        pass


def _after_commit() -> None:
    clear()
    _bump()


def _bump() -> None:
    try:
        try:
            version = cache.incr(VERSION_KEY)
        except ValueError:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.incr(VERSION_KEY)
    except Exception:  # shared cache unavailable: other processes fall back on their TTL check
        return
    with _lock:
        _state["version"] = version


def _maybe_refresh() -> None:
    now = time.monotonic()
    if now - _state["checked"] < CHECK_SECONDS:
        return
    try:
        version = cache.get(VERSION_KEY)
    except Exception:
        version = ("unavailable", now)  # no shared cache: behave like a short TTL
    with _lock:
        _state["checked"] = now
        if version != _state["version"]:
            _data.clear()
            _state["version"] = version


def watch(*models) -> None:
    """Invalidate on every save/delete of these models (and changes of their many-to-many
    relations)."""
    for model in models:
        uid = f"refcache:{model._meta.label}"
        post_save.connect(invalidate, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(invalidate, sender=model, dispatch_uid=uid + ":delete", weak=False)
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(invalidate, sender=through, dispatch_uid=uid + ":m2m", weak=False)
