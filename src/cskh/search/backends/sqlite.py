"""SQLite: documents built in Python (cskh.search.documents, folded with
cskh.textintel.normalize.fold) and searched through the FTS5 table ``search_fts``, kept in sync
with the document table by triggers (see migrations)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from cskh.cases.models import Case, CaseEvent
from cskh.customers.models import Customer, Phone, ServicePoint
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
from cskh.search.documents import (
    NOTE_KINDS,
    TABLE,
    case_doc,
    case_values,
    customer_doc,
    customer_values,
    rebuild_articles,
    remove,
    save,
)
from cskh.search.models import SearchDocument
from cskh.search.synonyms import Group

_INSERT = (  # raw cursor: %s placeholders (Django converts)
    f"INSERT INTO {TABLE} (kind, object_id, unit_id, ref, title, body, keys, title_folded, "
    "body_folded, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _triggers() -> dict[str, str]:
    """The FTS5 sync triggers on the document table (name → CREATE statement)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [TABLE],
        )
        return dict(cur.fetchall())


def _rebuild_customers(batch: int) -> int:
    """Plain SQL rows (no model instances): 20,000 customers index in about a second."""
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
                + customer_values(cid, code, name, addr, phones.get(cid, ()), sps.get(cid, ()))
                + (now,)
                for cid, code, name, addr in rows
            ]
            cur.executemany(_INSERT, docs)
            n += len(rows)
            last = hi


def _rebuild_cases(batch: int) -> int:
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
                + case_values(number, subject, desc, resolution or "", notes.get(cid, ()))
                + (now,)
                for cid, unit_id, number, subject, desc, resolution in rows
            ]
            cur.executemany(_INSERT, docs)
            n += len(rows)
            last = hi


_REBUILD = {
    "customer": _rebuild_customers,
    "case": _rebuild_cases,
    "article": lambda batch: rebuild_articles(),
}


def _fts5_expr(groups: Sequence[Group], mode: str) -> str:
    """Folded words are [a-z0-9]+; quoted, FTS5 reads them as plain strings."""
    return render(
        expression(groups, mode),
        lambda t: f'"{t[0]}"*' if t[1] else f'"{t[0]}"',
        " AND ",
        " OR ",
    )


class SqliteBackend:
    has_name_prefix = False

    def index_customer(self, customer_id: int) -> bool:
        qs = Customer.objects.prefetch_related("phones", "service_points").filter(pk=customer_id)
        customer = qs.first()
        if customer is None:
            remove("customer", customer_id)
            return False
        save(customer_doc(customer))
        return True

    def index_case(self, case_id: int) -> bool:
        case = Case.objects.filter(pk=case_id).first()
        if case is None:
            remove("case", case_id)
            return False
        notes = (
            CaseEvent.objects.filter(case_id=case_id, kind__in=NOTE_KINDS)
            .exclude(body="")
            .order_by("id")
            .values_list("body", flat=True)
        )
        save(case_doc(case, notes))
        return True

    def index_new_case(self, case) -> None:
        self.index_case(case.pk)

    def rebuild(
        self, kinds: Sequence[str], *, full: bool, batch: int, stats: dict, say: Say
    ) -> None:
        """Documents built in Python in batches. Row-by-row FTS5 maintenance costs ~10x a
        single 'rebuild' of the index: the triggers are off while the documents are
        rewritten, then FTS5 rebuilds once."""
        with transaction.atomic():
            trigger_sql = _triggers()
            with connection.cursor() as cur:
                for name in trigger_sql:
                    cur.execute(f"DROP TRIGGER {name}")
            for k in kinds:
                t = time.perf_counter()
                stats["rows"][k] = _REBUILD[k](batch)
                stats["seconds"][k] = round(time.perf_counter() - t, 2)
                say(f"[search] {k}: {stats['rows'][k]:,} documents, {stats['seconds'][k]} s")
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
                for sql in trigger_sql.values():
                    cur.execute(sql)
            stats["seconds"]["fts"] = round(time.perf_counter() - t, 2)

    def index_sizes(self) -> dict[str, int]:
        """FTS5 shadow tables via dbstat when SQLite was compiled with it (else empty)."""
        with connection.cursor() as cur:
            try:
                cur.execute(
                    "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'search_%%' GROUP BY name"
                )
                return {name: int(size) for name, size in cur.fetchall()}
            except Exception:  # dbstat not compiled in
                return {}

    def text_candidates(
        self, kind: str, groups: Sequence[Group], mode: str, where: Where, *, fallback: bool = False
    ) -> list[tuple]:
        extra, extra_params = where
        sql = (
            f"SELECT {COLS} FROM search_fts f JOIN {TABLE} d ON d.id = f.rowid "
            f"WHERE search_fts MATCH %s AND d.kind = %s{extra} "
            "ORDER BY bm25(search_fts, 10.0, 10.0, 1.0), d.id DESC LIMIT %s"
        )
        return fetch(sql, [_fts5_expr(groups, mode), kind, *extra_params, CANDIDATES])

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
        """Newest first in document order: FTS5 walks its matches by descending rowid and
        stops at `limit` (ordering by the case id would sort every match: 170 ms instead of
        1 ms for "mat dien" at 60,000 cases). A case's document is written when the case
        opens and the rebuild writes them in case order, so document order is case order; the
        cursor (a case id) is turned back into its document's rowid."""
        extra, extra_params = where
        params: list = [_fts5_expr(groups, mode), *extra_params]
        below = ""
        if before is not None:
            below = (
                f" AND f.rowid < (SELECT b.id FROM {TABLE} b WHERE b.kind = 'case' "
                "AND b.object_id = %s)"
            )
            params.append(before)
        sql = (
            f"SELECT {COLS} FROM search_fts f JOIN {TABLE} d ON d.id = f.rowid "
            f"WHERE search_fts MATCH %s AND d.kind = 'case'{extra}{below} "
            "ORDER BY f.rowid DESC LIMIT %s"
        )
        return fetch(sql, [*params, limit])

    def unit_filter(self, kind: str, units: list[int]) -> Where:
        return unit_filter_sql(kind, units)

    def name_prefix_candidates(self, phrase: str, where: Where) -> list[tuple]:
        return []

    def last_word_as_prefix(self, token: str) -> bool:
        return True


BACKEND = SqliteBackend()
