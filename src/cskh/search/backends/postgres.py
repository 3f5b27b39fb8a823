"""PostgreSQL: documents folded in SQL (``cskh_fold``: unaccent + lower, see migrations) by
INSERT … SELECT, for single objects as well as for the bulk rebuild, so both give the same text;
searched through a ``simple`` tsvector (GIN per kind), a btree prefix index on customers' folded
names and a trigram index on the keys (phone numbers, codes, case numbers)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence

from django.db import connection

from cskh.search.backends.base import (
    CANDIDATES,
    COLS,
    Say,
    Where,
    expression,
    fetch,
    render,
    unit_filter_sql,
)
from cskh.search.documents import BODY_MAX, TABLE, rebuild_articles, remove
from cskh.search.synonyms import Group

# Shortest word used as a prefix; a GIN prefix term collects the postings of every word it
# expands to ("an:*": an, anh, ...), so 2-letter prefixes are tried only when nothing matched
# otherwise.
MIN_PREFIX = 3
MIN_PREFIX_FALLBACK = 2
SCAN_LIMIT = 200  # matching rows ranked by PostgreSQL per kind (bounded work)
# Newest cases in scope checked before the GIN index (see recent_candidates): all cases are
# walked in heap order (cheap rows); one unit's cases are spread over the heap (a page each).
RECENT_WINDOW = 10_000
RECENT_WINDOW_UNITS = 2_000

PARTITIONS = {k: f"search_document_{k}" for k in ("customer", "case", "article")}

INDEXES = {  # dropped and recreated around a full rebuild (see migration 0005)
    # customers: words and units in one GIN index (unit staff: both conditions in one scan)
    "search_doc_tsv_customer": (
        "CREATE INDEX IF NOT EXISTS search_doc_tsv_customer ON search_document_customer "
        "USING gin (tsv, unit_ids)"
    ),
    # cases: words and unit in one GIN index (btree_gin), for the same reason
    "search_doc_tsv_case": (
        "CREATE INDEX IF NOT EXISTS search_doc_tsv_case ON search_document_case "
        "USING gin (tsv, unit_id)"
    ),
    "search_doc_tsv_article": (
        "CREATE INDEX IF NOT EXISTS search_doc_tsv_article ON search_document_article "
        "USING gin (tsv)"
    ),
    "search_doc_name_prefix": (
        "CREATE INDEX IF NOT EXISTS search_doc_name_prefix ON search_document_customer "
        '((title_folded COLLATE "C"))'
    ),
    **{
        f"search_doc_keys_trgm_{k}": (
            f"CREATE INDEX IF NOT EXISTS search_doc_keys_trgm_{k} ON {PARTITIONS[k]} "
            "USING gin (keys gin_trgm_ops)"
        )
        for k in ("customer", "case")
    },
    "search_doc_case_unit": (
        "CREATE INDEX IF NOT EXISTS search_doc_case_unit ON search_document_case "
        "(unit_id, object_id)"
    ),
}

_COLS = "kind, object_id, unit_id, ref, title, body, keys, title_folded, body_folded, updated_at"

# Customers also carry the units of their cases (``unit_ids``, PostgreSQL only): unit staff see
# a customer while one of the customer's cases is with their unit, and the customer partition's
# GIN index over (tsv, unit_ids) answers "these words, one of these units" without a join.
CUSTOMERS = f"""
INSERT INTO {TABLE} ({_COLS}, unit_ids)
SELECT 'customer', c.id, NULL, c.id::text, c.full_name,
       concat_ws(' · ', c.code, ph.nat, NULLIF(c.address, '')),
       lower(concat_ws(' ', c.code, ph.keys, sp.codes)),
       coalesce(cskh_fold(c.full_name), ''),
       coalesce(cskh_fold(c.address), ''),
       now(), u.units
FROM customers_customer c
LEFT JOIN (
    SELECT p.customer_id,
           string_agg(CASE WHEN p.e164 LIKE '+84%%' THEN '0' || substr(p.e164, 4)
                           ELSE ltrim(p.e164, '+') END, ' ' ORDER BY p.is_primary DESC, p.id)
               AS nat,
           string_agg(CASE WHEN p.e164 LIKE '+84%%'
                           THEN '0' || substr(p.e164, 4) || ' ' || substr(p.e164, 2)
                           ELSE ltrim(p.e164, '+') END, ' ') AS keys
    FROM customers_phone p WHERE {{pwhere}} GROUP BY p.customer_id
) ph ON ph.customer_id = c.id
LEFT JOIN (
    SELECT s.customer_id, string_agg(lower(s.code), ' ') AS codes
    FROM customers_servicepoint s WHERE {{swhere}} GROUP BY s.customer_id
) sp ON sp.customer_id = c.id
LEFT JOIN (
    SELECT k.customer_id, array_agg(DISTINCT k.unit_id) AS units
    FROM cases_case k WHERE k.unit_id IS NOT NULL AND {{kwhere}} GROUP BY k.customer_id
) u ON u.customer_id = c.id
WHERE {{where}}
"""


def _case_columns(row: str, body: str) -> str:
    """The document of case row `row` with body expression `body` (the order of _COLS)."""
    return f"""SELECT 'case', {row}.id, {row}.unit_id, {row}.number,
       {row}.number || ' · ' || {row}.subject, {body},
       replace(lower({row}.number), '-', ' ') || ' '
           || translate(lower({row}.number), 'abcdefghijklmnopqrstuvwxyz-', ''),
       coalesce(cskh_fold({row}.subject), ''),
       coalesce(cskh_fold({body}), ''),
       now()"""


CASES = f"""
INSERT INTO {TABLE} ({_COLS})
{_case_columns("k", "t.body")}
FROM cases_case k
LEFT JOIN (
    SELECT e.case_id, string_agg(e.body, E'\\n' ORDER BY e.id) AS notes
    FROM cases_caseevent e
    WHERE e.kind IN ('note', 'reply') AND e.body <> '' AND {{ewhere}}
    GROUP BY e.case_id
) n ON n.case_id = k.id
CROSS JOIN LATERAL (
    SELECT left(concat_ws(E'\\n', k.description, n.notes, NULLIF(k.resolution, '')), {BODY_MAX})
        AS body
) t
WHERE {{where}}
"""

# A case just opened has no notes or replies yet: its document comes from the values at hand,
# with the same expressions as CASES (planning that statement's joins cost PostgreSQL more
# than the insert itself, on every case opened).
NEW_CASE = f"""
INSERT INTO {TABLE} ({_COLS})
{_case_columns("v", "v.body")}
FROM (SELECT %s::bigint AS id, %s::bigint AS unit_id, %s::text AS number, %s::text AS subject,
             %s::text AS body) v
"""

UPSERT = """
ON CONFLICT (kind, object_id) DO UPDATE SET
    unit_id = EXCLUDED.unit_id, ref = EXCLUDED.ref, title = EXCLUDED.title,
    body = EXCLUDED.body, keys = EXCLUDED.keys, title_folded = EXCLUDED.title_folded,
    body_folded = EXCLUDED.body_folded, updated_at = EXCLUDED.updated_at
"""


def customers(ids: list[int] | None = None, id_range: tuple[int, int] | None = None) -> int:
    """Write the documents of customers `ids` (upsert), of an id range, or of all of them."""
    if ids is not None:
        where = {"where": "c.id = ANY(%s)", "pwhere": "p.customer_id = ANY(%s)"}
        where["swhere"] = "s.customer_id = ANY(%s)"
        where["kwhere"] = "k.customer_id = ANY(%s)"
        params: list[int | list[int]] = [ids, ids, ids, ids]
    elif id_range is not None:
        lo, hi = id_range
        where = {
            "pwhere": "p.customer_id >= %s AND p.customer_id < %s",
            "swhere": "s.customer_id >= %s AND s.customer_id < %s",
            "kwhere": "k.customer_id >= %s AND k.customer_id < %s",
            "where": "c.id >= %s AND c.id < %s",
        }
        params = [lo, hi, lo, hi, lo, hi, lo, hi]
    else:
        where = {"where": "true", "pwhere": "true", "swhere": "true", "kwhere": "true"}
        params = []
    upsert = UPSERT + ", unit_ids = EXCLUDED.unit_ids"
    sql = CUSTOMERS.format(**where) + (upsert if ids is not None else "")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def cases(ids: list[int] | None = None, id_range: tuple[int, int] | None = None) -> int:
    """Write the documents of cases `ids` (upsert), of an id range, or of all of them."""
    if ids is not None:
        where = {"where": "k.id = ANY(%s)", "ewhere": "e.case_id = ANY(%s)"}
        params: list[int | list[int]] = [ids, ids]
    elif id_range is not None:
        lo, hi = id_range
        where = {
            "ewhere": "e.case_id >= %s AND e.case_id < %s",
            "where": "k.id >= %s AND k.id < %s",
        }
        params = [lo, hi, lo, hi]
    else:
        where = {"where": "true", "ewhere": "true"}
        params = []
    sql = CASES.format(**where) + (UPSERT if ids is not None else "")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


# A case opened or moved to a unit its customer had no case with yet: the customer's document
# gets its units again (a unit left behind stays until the next reindex of the customer: the
# selectors re-check every returned customer against the cases, so that only costs a row).
# Run as a second data-modifying CTE of the statement that writes the case's document: one
# round trip per case change, as before.
CUSTOMER_UNITS = f"""
UPDATE {TABLE} d SET unit_ids = (
    SELECT array_agg(DISTINCT k.unit_id) FROM cases_case k
    WHERE k.customer_id = d.object_id AND k.unit_id IS NOT NULL)
FROM cases_case c
WHERE c.id = %s AND c.unit_id IS NOT NULL AND d.kind = 'customer'
  AND d.object_id = c.customer_id AND NOT coalesce(d.unit_ids, '{{}}') @> ARRAY[c.unit_id]
RETURNING 1
"""


def _with_customer_units(write_case: str) -> str:
    """`write_case` (an INSERT … ON CONFLICT of one case document) and CUSTOMER_UNITS in one
    statement; returns the number of case documents written."""
    return (
        f"WITH doc AS ({write_case} RETURNING 1), units AS ({CUSTOMER_UNITS}) "
        "SELECT count(*) FROM doc"
    )


def _id_bounds(table: str) -> tuple[int, int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM {table}")
        return cur.fetchone()


def _in_parallel(workers: int, fn: Callable, jobs: list, *, single_arg: bool = False) -> Iterator:
    """Yields fn's results as jobs finish; with several workers each thread has its own
    database connection (closed at the end), so only for autocommit callers."""

    def call(job):
        return fn(job) if single_arg else fn(id_range=job)

    if workers <= 1:
        for job in jobs:
            yield call(job)
        return
    from concurrent.futures import ThreadPoolExecutor

    def in_thread(job):
        try:
            return call(job)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(in_thread, jobs)


def _tsquery(groups: Sequence[Group], mode: str, min_prefix: int) -> str:
    """Folded words are [a-z0-9]+: nothing to quote in a tsquery."""
    return render(
        expression(groups, mode, min_prefix),
        lambda t: f"{t[0]}:*" if t[1] else t[0],
        " & ",
        " | ",
    )


class PostgresBackend:
    has_name_prefix = True

    def index_customer(self, customer_id: int) -> bool:
        if customers(ids=[customer_id]):
            return True
        remove("customer", customer_id)
        return False

    def index_case(self, case_id: int) -> bool:
        write = CASES.format(where="k.id = %s", ewhere="e.case_id = %s") + UPSERT
        with connection.cursor() as cur:
            cur.execute(_with_customer_units(write), [case_id, case_id, case_id])
            if cur.fetchone()[0]:
                return True
        remove("case", case_id)
        return False

    def index_new_case(self, case) -> None:
        body = "\n".join(p for p in (case.description, case.resolution) if p)[:BODY_MAX]
        params = [case.pk, case.unit_id, case.number, case.subject, body]
        with connection.cursor() as cur:
            cur.execute(_with_customer_units(NEW_CASE + UPSERT), [*params, case.pk])

    def rebuild(
        self, kinds: Sequence[str], *, full: bool, batch: int, stats: dict, say: Say
    ) -> None:
        """A full rebuild truncates the table, drops the GIN indexes, fills the table with
        INSERT … SELECT per id range of ``batch`` rows and recreates the indexes (much faster
        than maintaining GIN indexes row by row).

        Outside a transaction the id ranges, then the index builds, are spread over `workers`
        connections (PostgreSQL runs INSERT … SELECT and GIN builds on one core each); inside
        one (tests, callers holding a transaction) everything runs on the caller's connection."""
        workers = 1 if connection.in_atomic_block else max(1, min(4, os.cpu_count() or 1))
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            if full:
                t = time.perf_counter()
                cur.execute(f"TRUNCATE {TABLE}")
                for name in INDEXES:
                    cur.execute(f"DROP INDEX IF EXISTS {name}")
                stats["seconds"]["truncate"] = round(time.perf_counter() - t, 2)
        for k in kinds:
            t = time.perf_counter()
            if not full:
                with connection.cursor() as cur:
                    cur.execute(f"TRUNCATE {PARTITIONS[k]}")
            if k == "article":
                n = rebuild_articles()
            else:
                table, fn = (
                    ("customers_customer", customers) if k == "customer" else ("cases_case", cases)
                )
                lo, hi = _id_bounds(table)
                ranges = [(start, start + batch) for start in range(lo, hi + 1, batch)]
                n = 0
                for done in _in_parallel(workers, fn, ranges):
                    n += done
                    say(f"[search] {k}: {n:,} documents…")
            stats["rows"][k] = n
            stats["seconds"][k] = round(time.perf_counter() - t, 2)
            say(f"[search] {k}: {n:,} documents, {stats['seconds'][k]} s")
        t = time.perf_counter()
        # biggest first, so the two largest GIN builds run side by side
        order = ["search_doc_tsv_case", "search_doc_keys_trgm_case", "search_doc_tsv_customer"]
        names = order + [name for name in INDEXES if name not in order]

        def build(name: str) -> int:
            t1 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("SET maintenance_work_mem = '512MB'")
                cur.execute(INDEXES[name])
            stats["seconds"][f"index {name}"] = round(time.perf_counter() - t1, 2)
            return 0

        list(_in_parallel(workers, build, names, single_arg=True))
        with connection.cursor() as cur:
            # Statistics per partition (autovacuum may be off: without them every plan is a
            # guess). VACUUM also sets the hint bits / visibility map of the fresh rows
            # (otherwise the first searches write those pages); not inside a transaction.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cur.execute(f"{verb} {TABLE}")
        stats["seconds"]["indexes"] = round(time.perf_counter() - t, 2)
        say(f"[search] indexes: {stats['seconds']['indexes']} s")

    def index_sizes(self) -> dict[str, int]:
        """Per partition: table bytes and each index's bytes."""
        out: dict[str, int] = {}
        with connection.cursor() as cur:
            for part in PARTITIONS.values():
                cur.execute("SELECT pg_relation_size(%s), pg_indexes_size(%s)", [part, part])
                out[part], out[f"{part} indexes"] = cur.fetchone()
                cur.execute(
                    "SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
                    [part],
                )
                out.update(dict(cur.fetchall()))
            out["total"] = sum(v for k, v in out.items() if k in PARTITIONS.values()) + sum(
                v for k, v in out.items() if k.endswith(" indexes")
            )
        return out

    def text_candidates(
        self, kind: str, groups: Sequence[Group], mode: str, where: Where, *, fallback: bool = False
    ) -> list[tuple]:
        extra, extra_params = where
        tsq = _tsquery(groups, mode, MIN_PREFIX_FALLBACK if fallback else MIN_PREFIX)
        sql = (
            f"SELECT {COLS} FROM (SELECT {COLS}, d.tsv FROM {TABLE} d "
            f"WHERE d.kind = %s AND d.tsv @@ to_tsquery('simple', %s){extra} LIMIT %s) d "
            "ORDER BY ts_rank(d.tsv, to_tsquery('simple', %s)) DESC, d.id DESC LIMIT %s"
        )
        return fetch(sql, [kind, tsq, *extra_params, SCAN_LIMIT, tsq, CANDIDATES])

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
        """The newest matching cases in two steps, on the case partition alone.

        1. The newest RECENT_WINDOW cases in scope, walked backwards on a btree (case id, or
           unit + case id) and filtered by the words: common words (most of what agents type:
           "mat dien") fill the page from the first few hundred rows, and the cost never
           exceeds the window, whatever the planner believes about the words.
        2. Only with `deep` and when the window held fewer than `limit` matches (rare words):
           the older matches collected from the GIN index (a bitmap scan: the OFFSET 0 fence
           keeps PostgreSQL from walking the case ids backwards hoping for matches that are not
           there, 9 s for "wifi" at 3M cases), then the newest of them."""
        extra, extra_params = where
        tsq = _tsquery(groups, mode, MIN_PREFIX_FALLBACK if fallback else MIN_PREFIX)
        below, below_params = ("", []) if before is None else (" AND d.object_id < %s", [before])
        scope = f"d.kind = 'case'{extra}{below}"
        window = (
            f"SELECT {COLS}, d.tsv FROM {TABLE} d WHERE {scope} ORDER BY d.object_id DESC LIMIT %s"
        )
        sql = (
            f"SELECT {COLS} FROM ({window}) d WHERE d.tsv @@ to_tsquery('simple', %s) "
            "ORDER BY d.object_id DESC LIMIT %s"
        )
        scope_params = [*extra_params, *below_params]
        size = RECENT_WINDOW_UNITS if extra else RECENT_WINDOW
        rows = fetch(sql, [*scope_params, size, tsq, limit])
        if len(rows) >= limit or not deep:
            return rows
        floor_sql = (
            f"SELECT min(w.object_id), count(*) FROM (SELECT d.object_id FROM {TABLE} d "
            f"WHERE {scope} ORDER BY d.object_id DESC LIMIT %s) w"
        )
        floor, seen = fetch(floor_sql, [*scope_params, size])[0]
        if seen < size:  # the window held every case in scope
            return rows
        older = (
            f"SELECT {COLS} FROM (SELECT {COLS} FROM {TABLE} d WHERE {scope} "
            "AND d.object_id < %s AND d.tsv @@ to_tsquery('simple', %s) OFFSET 0) d "
            "ORDER BY d.object_id DESC LIMIT %s"
        )
        return rows + fetch(older, [*scope_params, floor, tsq, limit - len(rows)])

    def unit_filter(self, kind: str, units: list[int]) -> Where:
        if kind == "customer":  # the units of the customer's cases, in the document
            return " AND d.unit_ids && %s::bigint[]", [units]
        if kind == "case":  # bigint like the column: the (tsv, unit_id) GIN index takes the
            marks = ", ".join(["%s::bigint"] * len(units))  # unit (btree_gin has no int8 = int4)
            return f" AND d.unit_id IN ({marks})", units
        return unit_filter_sql(kind, units)

    def name_prefix_candidates(self, phrase: str, where: Where) -> list[tuple]:
        """The as-you-type name search on the btree prefix index, exact names first (index
        order). `phrase` is folded tokens ([a-z0-9 ]): nothing to escape for LIKE."""
        extra, extra_params = where
        sql = (
            f"SELECT {COLS} FROM {TABLE} d WHERE d.kind = 'customer' "
            f'AND (d.title_folded COLLATE "C") LIKE %s{extra} '
            'ORDER BY (d.title_folded COLLATE "C") LIMIT %s'
        )
        return fetch(sql, [phrase + "%", *extra_params, CANDIDATES])

    def last_word_as_prefix(self, token: str) -> bool:
        return len(token) >= MIN_PREFIX


BACKEND = PostgresBackend()
