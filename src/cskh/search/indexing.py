"""Keeping the search index in sync (the only writer of SearchDocument).

Explicit calls: ``index_customer``, ``index_case``, ``index_new_case``, ``index_article`` (run
by the hooks in cskh.search.hooks, listed in settings.CSKH_HOOKS, inside the caller's
transaction) and ``rebuild`` for bulk (re)indexing (``cskh search_rebuild``; ``cskh demo`` calls
it at the end). What a document holds: cskh.search.documents; how each database writes and
searches it: cskh.search.backends.
"""

from __future__ import annotations

import logging
import time

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError
from cskh.knowledge.selectors import live_version
from cskh.search import backends
from cskh.search.backends.base import Say
from cskh.search.documents import article_doc, remove, save

log = logging.getLogger("cskh.search")

KINDS = ("customer", "case", "article")


def index_customer(customer) -> None:
    """(Re)index one customer (name, code, phones, address, service point codes); its
    document is removed when the customer no longer exists."""
    backends.get().index_customer(customer.pk)


def index_case(case) -> None:
    """(Re)index one case (number, subject, description, notes and replies, resolution)."""
    backends.get().index_case(case.pk)


def index_new_case(case) -> None:
    """Index a case in the transaction that opened it (no notes or replies exist yet): the same
    document index_case would build, without reading the case back (PostgreSQL)."""
    backends.get().index_new_case(case)


def index_article(article) -> None:
    """(Re)index one knowledge article from its live version; removed when none is live."""
    version = live_version(article.pk)
    if version is None:
        remove("article", article.pk)
        return
    save(article_doc(version.article, version))


def rebuild(kind: str | None = None, batch: int = 200_000, log_fn: Say | None = None) -> dict:
    """Rebuild the index for one kind (or all). Returns {"rows": {kind: n}, "seconds": {...},
    "index_bytes": {...}} (index sizes: see index_sizes)."""
    if kind is not None and kind not in KINDS:
        raise DomainError(_("Loại chỉ mục không hợp lệ: %(k)s") % {"k": kind}, code="bad_kind")
    say = log_fn or log.info
    _ensure_migrated(say)
    kinds = list(KINDS) if kind is None else [kind]
    stats: dict = {"rows": {}, "seconds": {}}
    started = time.perf_counter()
    backends.get().rebuild(kinds, full=kind is None, batch=batch, stats=stats, say=say)
    stats["seconds"]["total"] = round(time.perf_counter() - started, 2)
    stats["index_bytes"] = index_sizes()
    return stats


def index_sizes() -> dict[str, int]:
    """Bytes used by the search table and its indexes (PostgreSQL; SQLite: FTS5 shadow
    tables via dbstat when available)."""
    return backends.get().index_sizes()


def _ensure_migrated(say: Say) -> None:
    """A database migrated before the search app's full-text migrations existed (e.g. a long
    demo build) gets them now: they only touch the search app's own table."""
    executor = MigrationExecutor(connection)
    targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "search"]
    if executor.migration_plan(targets):
        say("[search] applying the search app's migrations…")
        call_command("migrate", "search", verbosity=0, skip_checks=True)
