"""The interface every search backend offers (one backend per database vendor)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from django.db import connection

from cskh.search.documents import TABLE
from cskh.search.synonyms import Group

# Columns of a candidate row, in this order (selectors unpack them by position).
COLS = "d.id, d.kind, d.object_id, d.ref, d.title, d.body, d.keys, d.title_folded, d.body_folded"
CANDIDATES = 60  # documents returned per kind and strategy, ranked by the database

Where = tuple[str, list]  # an extra " AND …" clause on the document table `d`, its parameters
Say = Callable[[str], None]


Term = tuple[str, bool]  # a folded word, and whether it matches as a prefix
Expr = list[list[list[Term]]]  # AND of groups, OR of alternatives, AND of terms


def expression(groups: Sequence[Group], mode: str, min_prefix: int = 1) -> Expr:
    """The boolean query of synonym groups (cskh.search.synonyms) for the database.

    mode: "exact" (whole words), "last" (the last word typed as a prefix), "all" (every word
    typed as a prefix); prefixes shorter than `min_prefix` stay whole words. Only the words as
    typed (each group's first alternative) become prefixes, never the synonyms."""
    out: Expr = []
    last = len(groups) - 1
    for gi, group in enumerate(groups):
        alternatives = []
        for ai, words in enumerate(group):
            terms = []
            for wi, w in enumerate(words):
                typed_prefix = mode == "all" or (
                    mode == "last" and gi == last and wi == len(words) - 1
                )
                terms.append((w, ai == 0 and typed_prefix and len(w) >= min_prefix))
            alternatives.append(terms)
        out.append(alternatives)
    return out


def render(expr: Expr, word: Callable[[Term], str], and_: str, or_: str) -> str:
    """`expr` in a database's query syntax (`word` renders one term, quoting it)."""

    def conj(parts: list[str], op: str) -> str:
        return parts[0] if len(parts) == 1 else "(" + op.join(parts) + ")"

    return and_.join(
        conj([conj([word(t) for t in alt], and_) for alt in group], or_) for group in expr
    )


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


def unit_filter_sql(kind: str, units: list[int]) -> Where:
    """Documents of `kind` visible in `units`: cases of those units, customers with a case
    there (both databases; PostgreSQL reads the customers' units from their documents)."""
    marks = ", ".join(["%s"] * len(units))
    if kind == "case":
        return f" AND d.unit_id IN ({marks})", units
    return (
        " AND EXISTS (SELECT 1 FROM cases_case k WHERE k.customer_id = d.object_id"
        f" AND k.unit_id IN ({marks}))",
        units,
    )


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
        self, kind: str, groups: Sequence[Group], mode: str, where: Where, *, fallback: bool = False
    ) -> list[tuple]:
        """Customers and articles matching every group (see `expression` for `mode`), best
        ranked first."""
        ...

    def recent_candidates(
        self,
        groups: Sequence[Group],
        mode: str,
        where: Where,
        *,
        before: int | None,
        limit: int,
        fallback: bool = False,
        deep: bool = True,
    ) -> list[tuple]:
        """Cases matching every group, most recent (highest case id) first, below case id
        `before` (keyset paging). Without `deep` the database may stop at the newest cases
        (the global search's case part: bounded work)."""
        ...

    def unit_filter(self, kind: str, units: list[int]) -> Where:
        """The extra WHERE clause limiting `kind` to what staff of `units` may see."""
        ...

    def name_prefix_candidates(self, phrase: str, where: Where) -> list[tuple]:
        """Customers whose folded name starts with `phrase` (only when has_name_prefix)."""
        ...

    def last_word_as_prefix(self, token: str) -> bool:
        """Whether the as-you-type pass may use `token` as a prefix."""
        ...
