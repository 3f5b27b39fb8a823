"""The interface every search backend offers (one backend per database vendor)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from django.db import connection

from cskh.search.documents import TABLE

# Columns of a candidate row, in this order (selectors unpack them by position).
COLS = "d.id, d.kind, d.object_id, d.ref, d.title, d.body, d.keys, d.title_folded, d.body_folded"
CANDIDATES = 60  # documents returned per kind and strategy, ranked by the database

Where = tuple[str, list]  # an extra " AND …" clause on the document table `d`, its parameters
Say = Callable[[str], None]


def is_prefix(mode: str, i: int, n: int) -> bool:
    """mode: "exact" (whole words), "last" (last word as a prefix), "all" (every word)."""
    return mode == "all" or (mode == "last" and i == n - 1)


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def digit_candidates(kind: str, digits: str, where: Where) -> list[tuple]:
    """Documents whose keys (phones, codes, case numbers) contain `digits` (both databases:
    a trigram index on PostgreSQL, a scan of the keys on SQLite)."""
    extra, extra_params = where
    sql = (
        f"SELECT {COLS} FROM {TABLE} d WHERE d.kind = %s AND d.keys LIKE %s{extra} "
        "ORDER BY d.id DESC LIMIT %s"
    )
    return fetch(sql, [kind, f"%{digits}%", *extra_params, CANDIDATES])


class SearchBackend(Protocol):
    """Writes documents (each call inside the caller's transaction) and finds candidates."""

    #: customers' folded names have a prefix index (as-you-type name search)
    has_name_prefix: bool

    def index_customer(self, customer_id: int) -> bool:
        """Write the customer's document from the database; False when there is no customer."""
        ...

    def index_case(self, case_id: int) -> bool:
        """Write the case's document from the database; False when there is no case."""
        ...

    def index_new_case(self, case) -> None:
        """Write the document of a case opened in this transaction (no notes or replies yet)."""
        ...

    def rebuild(
        self, kinds: Sequence[str], *, full: bool, batch: int, stats: dict, say: Say
    ) -> None:
        """Rewrite every document of `kinds` (full: the whole index), filling stats["rows"]
        and stats["seconds"]."""
        ...

    def index_sizes(self) -> dict[str, int]:
        """Bytes used by the document table and its indexes."""
        ...

    def text_candidates(
        self, kind: str, tokens: list[str], mode: str, where: Where, *, fallback: bool = False
    ) -> list[tuple]:
        """Full-text match of every token (see is_prefix for `mode`), best ranked first."""
        ...

    def name_prefix_candidates(self, phrase: str, where: Where) -> list[tuple]:
        """Customers whose folded name starts with `phrase` (only when has_name_prefix)."""
        ...

    def last_word_as_prefix(self, token: str) -> bool:
        """Whether the as-you-type pass may use `token` as a prefix."""
        ...
