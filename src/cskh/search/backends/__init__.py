"""One search backend per database vendor (see base.SearchBackend for the interface)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from cskh.search.backends import postgres, sqlite
from cskh.search.backends.base import SearchBackend

_BACKENDS: dict[str, SearchBackend] = {
    "postgresql": postgres.BACKEND,
    "sqlite": sqlite.BACKEND,
}


def get() -> SearchBackend:
    """The backend of the default database connection."""
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"cskh search supports PostgreSQL and SQLite, not {connection.vendor}"
        ) from None
