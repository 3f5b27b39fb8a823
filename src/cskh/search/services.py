"""Keeping the search index in sync (the only writer of SearchDocument).

Explicit calls: ``index_customer``, ``index_case``, ``index_article`` (run by the hooks in
cskh.search.hooks, listed in settings.CSKH_HOOKS) and ``rebuild`` for bulk (re)indexing
(``cskh search_rebuild``; ``cskh demo`` calls it at the end).

Documents (what is searchable; ``title``/``body`` are shown with highlights):
- customer: title = full name; body = code · phone numbers (national form) · address;
  keys = code, phones (0… and 84… forms), service point codes.
- case: title = number · subject; body = description, notes/replies, resolution (first
  10,000 characters); keys = number (lower case, '-' as spaces, and digits only); unit_id = case.unit_id.
- article: the live (approved, effective) version's title and body; id = article id.

On PostgreSQL customers and cases are folded by SQL (``cskh_fold``, unaccent) with
INSERT … SELECT, for single objects as well as for the bulk rebuild, so both paths give the same
text; on SQLite documents are built in Python with cskh.textintel.normalize.fold.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable

from django.db import connection, transaction

from cskh.search.models import SearchDocument
from cskh.textintel.normalize import fold

log = logging.getLogger("cskh.search")

BODY_MAX = 10_000
TABLE = SearchDocument._meta.db_table
KINDS = ("customer", "case", "article")
PG_INDEXES = {  # dropped and recreated around a full rebuild (see migrations 0002/0003)
    **{
        f"search_doc_tsv_{k}": (
            f"CREATE INDEX IF NOT EXISTS search_doc_tsv_{k} ON {TABLE} USING gin (tsv) "
            f"WHERE kind = '{k}'"
        )
        for k in ("customer", "case", "article")
    },
    "search_doc_name_prefix": (
        f"CREATE INDEX IF NOT EXISTS search_doc_name_prefix ON {TABLE} "
        "((title_folded COLLATE \"C\")) WHERE kind = 'customer'"
    ),
    "search_doc_keys_trgm": (
        f"CREATE INDEX IF NOT EXISTS search_doc_keys_trgm ON {TABLE} USING gin (keys gin_trgm_ops)"
    ),
}
NOTE_KINDS = ("note", "reply")


def _pg() -> bool:
    return connection.vendor == "postgresql"


def national(e164: str) -> str:
    """'+84901234567' → '0901234567' (other countries: digits only)."""
    if e164.startswith("+84"):
        return "0" + e164[3:]
    return e164.lstrip("+")


def phone_keys(e164: str) -> str:
    if e164.startswith("+84"):
        return f"{national(e164)} {e164[1:]}"
    return e164.lstrip("+")


# ---------------------------------------------------------------- PostgreSQL SQL

_COLS = "kind, object_id, unit_id, ref, title, body, keys, title_folded, body_folded, updated_at"

PG_CUSTOMERS = f"""
INSERT INTO {TABLE} ({_COLS})
SELECT 'customer', c.id, NULL, c.id::text, c.full_name,
       concat_ws(' · ', c.code, ph.nat, NULLIF(c.address, '')),
       lower(concat_ws(' ', c.code, ph.keys, sp.codes)),
       coalesce(cskh_fold(c.full_name), ''),
       coalesce(cskh_fold(c.address), ''),
       now()
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


PG_CASES = f"""
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
# with the same expressions as PG_CASES (planning that statement's joins cost PostgreSQL more
# than the insert itself, on every case opened).
PG_NEW_CASE = f"""
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


def _pg_customers(ids: list[int] | None = None, id_range: tuple[int, int] | None = None) -> int:
    if ids is not None:
        where = {"where": "c.id = ANY(%s)", "pwhere": "p.customer_id = ANY(%s)"}
        where["swhere"] = "s.customer_id = ANY(%s)"
        params = [ids, ids, ids]
    elif id_range is not None:
        lo, hi = id_range
        where = {
            "pwhere": "p.customer_id >= %s AND p.customer_id < %s",
            "swhere": "s.customer_id >= %s AND s.customer_id < %s",
            "where": "c.id >= %s AND c.id < %s",
        }
        params = [lo, hi, lo, hi, lo, hi]
    else:
        where = {"where": "true", "pwhere": "true", "swhere": "true"}
        params = []
    sql = PG_CUSTOMERS.format(**where) + (UPSERT if ids is not None else "")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _pg_cases(ids: list[int] | None = None, id_range: tuple[int, int] | None = None) -> int:
    if ids is not None:
        where = {"where": "k.id = ANY(%s)", "ewhere": "e.case_id = ANY(%s)"}
        params = [ids, ids]
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
    sql = PG_CASES.format(**where) + (UPSERT if ids is not None else "")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


# ---------------------------------------------------------------- Python builders (SQLite)


def _customer_values(
    cid: int,
    code: str,
    full_name: str,
    address: str,
    phones: Iterable[str],
    sp_codes: Iterable[str],
) -> tuple:
    """(ref, title, body, keys, title_folded, body_folded) of a customer document; phones in
    display order (primary first)."""
    phones = list(phones)
    nat = " ".join(national(e) for e in phones)
    keys = " ".join(x for x in [code, *(phone_keys(e) for e in phones), *sp_codes] if x).lower()
    body = " · ".join(x for x in (code, nat, address) if x)
    return (str(cid), full_name, body, keys, fold(full_name), fold(address or ""))


def _customer_doc(c) -> SearchDocument:
    phones = sorted(c.phones.all(), key=lambda p: (not p.is_primary, p.id))
    ref, title, body, keys, title_folded, body_folded = _customer_values(
        c.id,
        c.code,
        c.full_name,
        c.address,
        [p.e164 for p in phones],
        [s.code for s in c.service_points.all()],
    )
    return SearchDocument(
        kind="customer",
        object_id=c.id,
        unit_id=None,
        ref=ref,
        title=title,
        body=body,
        keys=keys,
        title_folded=title_folded,
        body_folded=body_folded,
    )


def _case_values(
    number: str, subject: str, description: str, resolution: str, notes: Iterable[str]
) -> tuple:
    """(ref, title, body, keys, title_folded, body_folded) of a case document."""
    body = "\n".join(p for p in [description, *[n for n in notes if n], resolution] if p)
    body = body[:BODY_MAX]
    digits = "".join(ch for ch in number if ch.isdigit())
    keys = f"{number.lower().replace('-', ' ')} {digits}"
    return (number, f"{number} · {subject}", body, keys, fold(subject), fold(body))


def _case_doc(case, notes: Iterable[str]) -> SearchDocument:
    ref, title, body, keys, title_folded, body_folded = _case_values(
        case.number, case.subject, case.description, case.resolution, notes
    )
    return SearchDocument(
        kind="case",
        object_id=case.id,
        unit_id=case.unit_id,
        ref=ref,
        title=title,
        body=body,
        keys=keys,
        title_folded=title_folded,
        body_folded=body_folded,
    )


def _article_doc(article, version) -> SearchDocument:
    return SearchDocument(
        kind="article",
        object_id=article.id,
        unit_id=None,
        ref=str(article.id),
        title=version.title,
        body=version.body[:BODY_MAX],
        keys=article.slug.lower().replace("-", " "),
        title_folded=version.title_folded or fold(version.title),
        body_folded=fold(version.body[:BODY_MAX]),
    )


_UPDATE_FIELDS = ["unit_id", "ref", "title", "body", "keys", "title_folded", "body_folded"]


def _save(doc: SearchDocument) -> None:
    SearchDocument.objects.update_or_create(
        kind=doc.kind,
        object_id=doc.object_id,
        defaults={f: getattr(doc, f) for f in _UPDATE_FIELDS},
    )


def _remove(kind: str, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


# ---------------------------------------------------------------- public: single objects


def index_customer(customer) -> None:
    """(Re)index one customer (name, code, phones, address, service point codes)."""
    from cskh.customers.models import Customer

    if _pg():
        if not _pg_customers(ids=[customer.pk]):
            _remove("customer", customer.pk)
        return
    c = Customer.objects.prefetch_related("phones", "service_points").filter(pk=customer.pk)
    c = c.first()
    if c is None:
        _remove("customer", customer.pk)
        return
    _save(_customer_doc(c))


def index_case(case) -> None:
    """(Re)index one case (number, subject, description, notes and replies, resolution)."""
    from cskh.cases.models import Case, CaseEvent

    if _pg():
        if not _pg_cases(ids=[case.pk]):
            _remove("case", case.pk)
        return
    fresh = Case.objects.filter(pk=case.pk).first()
    if fresh is None:
        _remove("case", case.pk)
        return
    notes = (
        CaseEvent.objects.filter(case_id=case.pk, kind__in=NOTE_KINDS)
        .exclude(body="")
        .order_by("id")
        .values_list("body", flat=True)
    )
    _save(_case_doc(fresh, notes))


def index_new_case(case) -> None:
    """Index a case in the transaction that opened it (no notes or replies exist yet): the same
    document index_case would build, without reading the case back."""
    if not _pg():
        index_case(case)
        return
    body = "\n".join(p for p in (case.description, case.resolution) if p)[:BODY_MAX]
    with connection.cursor() as cursor:
        cursor.execute(
            PG_NEW_CASE + UPSERT, [case.pk, case.unit_id, case.number, case.subject, body]
        )


def index_article(article) -> None:
    """(Re)index one knowledge article from its live version; removed when none is live."""
    from cskh.knowledge.models import Article
    from cskh.knowledge.selectors import current_version

    fresh = Article.objects.filter(pk=article.pk).first()
    version = current_version(fresh) if fresh is not None and fresh.is_active else None
    if version is None:
        _remove("article", article.pk)
        return
    _save(_article_doc(fresh, version))


# ---------------------------------------------------------------- public: bulk


def rebuild(kind: str | None = None, batch: int = 200_000, log_fn=None) -> dict:
    """Rebuild the index for one kind (or all). Returns {"rows": {kind: n}, "seconds": {...},
    "index_bytes": {...}} (index sizes on PostgreSQL).

    PostgreSQL: a full rebuild truncates the table, drops the GIN indexes, fills the table
    with INSERT … SELECT per id range of ``batch`` rows and recreates the indexes (much faster
    than maintaining GIN indexes row by row). SQLite: documents built in Python in batches."""
    from django.utils.translation import gettext as _

    from cskh.core.errors import DomainError

    if kind is not None and kind not in KINDS:
        raise DomainError(_("Loại chỉ mục không hợp lệ: %(k)s") % {"k": kind}, code="bad_kind")
    say = log_fn or (lambda msg: log.info(msg))
    _ensure_migrated(say)
    kinds = list(KINDS) if kind is None else [kind]
    stats: dict = {"rows": {}, "seconds": {}}
    started = time.perf_counter()
    if _pg():
        _rebuild_pg(kinds, full=kind is None, batch=batch, stats=stats, say=say)
    else:
        with transaction.atomic():
            # Row-by-row FTS5 maintenance costs ~10x a single 'rebuild' of the index: the
            # triggers are off while the documents are rewritten, then FTS5 rebuilds once.
            trigger_sql = _sqlite_triggers()
            with connection.cursor() as cur:
                for name in trigger_sql:
                    cur.execute(f"DROP TRIGGER {name}")
            for k in kinds:
                t = time.perf_counter()
                stats["rows"][k] = _REBUILD_SQLITE[k](batch)
                stats["seconds"][k] = round(time.perf_counter() - t, 2)
                say(f"[search] {k}: {stats['rows'][k]:,} documents, {stats['seconds'][k]} s")
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
                for sql in trigger_sql.values():
                    cur.execute(sql)
            stats["seconds"]["fts"] = round(time.perf_counter() - t, 2)
    stats["seconds"]["total"] = round(time.perf_counter() - started, 2)
    stats["index_bytes"] = index_sizes()
    return stats


def _sqlite_triggers() -> dict[str, str]:
    """The FTS5 sync triggers on the document table (name → CREATE statement)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [TABLE],
        )
        return dict(cur.fetchall())


def _ensure_migrated(say) -> None:
    """A database migrated before the search app's full-text migrations existed (e.g. a long
    demo build) gets them now: they only touch the search app's own table."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "search"]
    if executor.migration_plan(targets):
        from django.core.management import call_command

        say("[search] applying the search app's migrations…")
        call_command("migrate", "search", verbosity=0, skip_checks=True)


def _id_bounds(table: str) -> tuple[int, int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM {table}")
        return cur.fetchone()


def _rebuild_pg(kinds, *, full: bool, batch: int, stats: dict, say) -> None:
    """Outside a transaction the id ranges, then the index builds, are spread over `workers`
    connections (PostgreSQL 15 runs INSERT … SELECT and GIN builds on one core each); inside
    one (tests, callers holding a transaction) everything runs on the caller's connection."""
    workers = 1 if connection.in_atomic_block else max(1, min(4, os.cpu_count() or 1))
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        if full:
            t = time.perf_counter()
            cur.execute(f"TRUNCATE {TABLE}")
            for name in PG_INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
            stats["seconds"]["truncate"] = round(time.perf_counter() - t, 2)
    for k in kinds:
        t = time.perf_counter()
        if not full:
            SearchDocument.objects.filter(kind=k).delete()
        if k == "article":
            n = _rebuild_articles(batch)
        else:
            table, fn = (
                ("customers_customer", _pg_customers)
                if k == "customer"
                else ("cases_case", _pg_cases)
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
    order = ["search_doc_keys_trgm", "search_doc_tsv_case", "search_doc_tsv_customer"]
    names = order + [name for name in PG_INDEXES if name not in order]

    def build(name: str) -> int:
        t1 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute(PG_INDEXES[name])
        stats["seconds"][f"index {name}"] = round(time.perf_counter() - t1, 2)
        return 0

    list(_in_parallel(workers, build, names, single_arg=True))
    with connection.cursor() as cur:
        # VACUUM also sets the hint bits / visibility map of the fresh rows (otherwise the first
        # searches write those pages); not possible inside a transaction.
        cur.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {TABLE}")
    stats["seconds"]["indexes"] = round(time.perf_counter() - t, 2)
    say(f"[search] indexes: {stats['seconds']['indexes']} s")


def _in_parallel(workers: int, fn, jobs: list, *, single_arg: bool = False):
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


def _bulk(docs: list[SearchDocument]) -> None:
    SearchDocument.objects.bulk_create(docs, batch_size=2000)


_INSERT_SQLITE = (  # raw cursor: %s placeholders (Django converts)
    f"INSERT INTO {TABLE} (kind, object_id, unit_id, ref, title, body, keys, title_folded, "
    "body_folded, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _rebuild_customers_sqlite(batch: int) -> int:
    """Plain SQL rows (no model instances): 20,000 customers index in about a second."""
    from django.utils import timezone

    from cskh.customers.models import Customer, Phone, ServicePoint

    SearchDocument.objects.filter(kind="customer").delete()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    n, last, step = 0, 0, min(batch, 5000)
    with connection.cursor() as cur:
        while True:
            cur.execute(
                f"SELECT id, code, full_name, address FROM {Customer._meta.db_table} "
                "WHERE id > %s ORDER BY id LIMIT %s",
                [last, step],
            )
            rows = cur.fetchall()
            if not rows:
                return n
            lo, hi = rows[0][0], rows[-1][0]
            phones: dict[int, list[str]] = {}
            cur.execute(
                f"SELECT customer_id, e164 FROM {Phone._meta.db_table} WHERE customer_id "
                "BETWEEN %s AND %s ORDER BY customer_id, is_primary DESC, id",
                [lo, hi],
            )
            for cid, e164 in cur.fetchall():
                phones.setdefault(cid, []).append(e164)
            sps: dict[int, list[str]] = {}
            cur.execute(
                f"SELECT customer_id, code FROM {ServicePoint._meta.db_table} WHERE customer_id "
                "BETWEEN %s AND %s ORDER BY id",
                [lo, hi],
            )
            for cid, code in cur.fetchall():
                sps.setdefault(cid, []).append(code)
            docs = [
                ("customer", cid, None)
                + _customer_values(cid, code, name, addr, phones.get(cid, ()), sps.get(cid, ()))
                + (now,)
                for cid, code, name, addr in rows
            ]
            cur.executemany(_INSERT_SQLITE, docs)
            n += len(rows)
            last = hi


def _rebuild_cases_sqlite(batch: int) -> int:
    from django.utils import timezone

    from cskh.cases.models import Case, CaseEvent

    SearchDocument.objects.filter(kind="case").delete()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    n, last, step = 0, 0, min(batch, 5000)
    placeholders = ", ".join(["%s"] * len(NOTE_KINDS))
    with connection.cursor() as cur:
        while True:
            cur.execute(
                f"SELECT id, unit_id, number, subject, description, resolution "
                f"FROM {Case._meta.db_table} WHERE id > %s ORDER BY id LIMIT %s",
                [last, step],
            )
            rows = cur.fetchall()
            if not rows:
                return n
            lo, hi = rows[0][0], rows[-1][0]
            notes: dict[int, list[str]] = {}
            cur.execute(
                f"SELECT case_id, body FROM {CaseEvent._meta.db_table} WHERE case_id BETWEEN "
                f"%s AND %s AND kind IN ({placeholders}) AND body != '' ORDER BY id",
                [lo, hi, *NOTE_KINDS],
            )
            for case_id, body in cur.fetchall():
                notes.setdefault(case_id, []).append(body)
            docs = [
                ("case", cid, unit_id)
                + _case_values(number, subject, desc, resolution or "", notes.get(cid, ()))
                + (now,)
                for cid, unit_id, number, subject, desc, resolution in rows
            ]
            cur.executemany(_INSERT_SQLITE, docs)
            n += len(rows)
            last = hi


def _rebuild_articles(batch: int) -> int:
    from cskh.knowledge.selectors import _live_versions, _one_per_article

    SearchDocument.objects.filter(kind="article").delete()
    versions = _one_per_article(_live_versions())
    _bulk([_article_doc(v.article, v) for v in versions])
    return len(versions)


_REBUILD_SQLITE = {
    "customer": _rebuild_customers_sqlite,
    "case": _rebuild_cases_sqlite,
    "article": _rebuild_articles,
}


def index_sizes() -> dict[str, int]:
    """Bytes used by the search table and its indexes (PostgreSQL; SQLite: FTS5 shadow
    tables via dbstat when available)."""
    out: dict[str, int] = {}
    with connection.cursor() as cur:
        if _pg():
            cur.execute(
                "SELECT pg_relation_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)",
                [TABLE, TABLE, TABLE],
            )
            table, indexes, total = cur.fetchone()
            out = {"table": table, "indexes": indexes, "total": total}
            cur.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
                [TABLE],
            )
            for name, size in cur.fetchall():
                out[name] = size
        else:
            try:
                cur.execute(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search_%%' GROUP BY name"
                )
                out = {name: int(size) for name, size in cur.fetchall()}
            except Exception:  # dbstat not compiled in
                out = {}
    return out
