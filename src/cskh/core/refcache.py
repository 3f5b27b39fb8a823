"""The one cache policy for slow-changing reference data, per process.

What lives here: the catalog (profile, case types with their SLA policy and calendar, routing
rules), units and their service areas, wards, escalation ladders, SLA calendar specs,
notification templates, incident grouping rules, API tokens. Configuration changes a few times
a day, cases arrive hundreds of times a minute: reading it from the database on every request
cost a dozen queries per case.

Keys and families. A key is a string or a tuple whose first item is a string; that string is
the key's *family* (``"geo.wards"``, ``("catalog.case_type", profile_id, code)``). Invalidation
is per family: saving a Unit drops the unit families only, never the catalog or the tokens.

Consistency. Each family has a version number in the shared cache (Redis, or the database
cache). :func:`invalidate` drops the family in this process at once and bumps its shared
version, again after the commit (so nobody reloads the old rows in between). Every process
compares the versions of the families it holds at most once every ``CHECK_SECONDS`` (one
``get_many``) and drops a family whose version moved. So a change is seen at once in the
process that made it and within ``CHECK_SECONDS`` everywhere else; with the shared cache down,
every process drops everything every ``CHECK_SECONDS`` (a short TTL).

Who invalidates. :func:`watch` ties a model to the families built from it (``apps.py``), on
``post_save`` / ``post_delete`` / ``m2m_changed``. This is cache coherence, not business flow:
it has to see every writer (services, the admin, a shell) and decides nothing. A save that
only touches ``ignore_fields`` (a login writes ``User.last_login``) invalidates nothing. Bulk
writes send no signals: code doing them calls :func:`invalidate` with the families.

Immutable snapshots. What a loader returns is frozen when stored: dicts become
``MappingProxyType``, lists and tuples tuples, sets frozensets (recursively). A model instance
handed out at the top level is a ``copy.copy`` per call, so a caller setting an attribute on it
changes its own copy only; model instances inside a container (a ward in the ward map) are
shared by every caller: read them, do not set attributes on them. ``None`` is never stored
(unknown keys, e.g. random tokens, must not fill the memory).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from types import MappingProxyType
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

CHECK_SECONDS = 2.0
_MISSING = object()

_lock = threading.Lock()
_data: dict[str, dict[Any, Any]] = {}  # family -> key -> frozen value
_versions: dict[str, Any] = {}  # family -> the shared version this process's copy belongs to
_watched: set[str] = set()
_checked = [0.0]


def family_of(key: Any) -> str:
    family: str = key[0] if isinstance(key, tuple) else key
    return family


def version_key(family: str) -> str:
    """The shared-cache key holding a family's version number."""
    return f"cskh:refcache:v:{family}"


def get[T](key: Any, loader: Callable[[], T]) -> T:
    """The cached value for key, computed by loader() on a miss (loader may hit the database),
    as an immutable snapshot (see the module docstring)."""
    family = family_of(key)
    _maybe_refresh(family)
    value = _data.get(family, {}).get(key, _MISSING)
    if value is _MISSING:
        version = _versions.get(family, _MISSING)
        value = freeze(loader())
        with _lock:
            if value is not None and _versions.get(family, _MISSING) is version:
                _data.setdefault(family, {})[key] = value  # not invalidated meanwhile
    if isinstance(value, models.Model):
        value = copy.copy(value)
    snapshot: T = value  # the cache holds freeze(loader()): loader's type, read-only
    return snapshot


def freeze(value: Any) -> Any:
    """A read-only version of value: containers frozen recursively, the rest as is."""
    if isinstance(value, (dict, MappingProxyType)):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        return tuple(freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return value


def clear(*, keep: Iterable[str] = ()) -> None:
    """Forget everything in this process but the families in `keep` (tests call it between
    cases)."""
    kept = set(keep)
    with _lock:
        for store in (_data, _versions):
            for family in [f for f in store if f not in kept]:
                del store[family]
        _checked[0] = 0.0


# Sent with `families` (a set of names) by every invalidation, whichever writer caused it.
invalidated = Signal()


def invalidate(*families: str) -> None:
    """These families changed (every known family when none is named): drop this process's
    copy now, tell the other processes (also after the commit)."""
    names = set(families) or (_watched | set(_versions))
    invalidated.send(sender=None, families=frozenset(names))
    _bump(names)
    try:
        transaction.on_commit(lambda: _bump(names))
    except Exception:  # no usable connection (e.g. during shutdown): the bump above is enough
        pass


def _bump(families: Iterable[str]) -> None:
    for family in families:
        version: object  # the shared counter, or a token no other process holds
        try:
            key = version_key(family)
            try:
                version = cache.incr(key)
            except ValueError:
                cache.add(key, 0, timeout=None)
                version = cache.incr(key)
        except Exception:  # shared cache unavailable: the others fall back on their checks
            version = object()
        with _lock:
            _data.pop(family, None)
            _versions[family] = version


def _maybe_refresh(family: str) -> None:
    now = time.monotonic()
    due = now - _checked[0] >= CHECK_SECONDS
    if family in _versions and not due:
        return
    families = (set(_versions) | {family}) if due else {family}
    try:
        shared = cache.get_many([version_key(f) for f in families])
    except Exception:  # no shared cache: every family expires every CHECK_SECONDS
        shared = {version_key(f): object() for f in families}
    with _lock:
        if due:
            _checked[0] = now
        for f in families:
            version = shared.get(version_key(f))
            if f not in _versions or _versions[f] != version:
                _data.pop(f, None)
                _versions[f] = version


def watch(model: type[models.Model], *families: str, ignore_fields: Iterable[str] = ()) -> None:
    """Invalidate these families on every save/delete of model (and changes of its
    many-to-many relations), except saves whose update_fields are all in ignore_fields."""
    ignored = frozenset(ignore_fields)
    _watched.update(families)

    def on_change(update_fields: Iterable[str] | None = None, **_kwargs: object) -> None:
        if update_fields and ignored.issuperset(update_fields):
            return
        invalidate(*families)

    uid = f"refcache:{model._meta.label}"
    post_save.connect(on_change, sender=model, dispatch_uid=uid + ":save", weak=False)
    post_delete.connect(on_change, sender=model, dispatch_uid=uid + ":delete", weak=False)
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        m2m_changed.connect(on_change, sender=through, dispatch_uid=uid + ":m2m", weak=False)
