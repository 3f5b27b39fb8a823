"""Global search latency (issues #6, #21): typical agent queries against the search index.

PostgreSQL (``--database-url``, default cskh_bench with 1,000,000 customers / 3,000,000 cases):
p95 per query family, in-process through cskh.search.selectors.search (the API view adds only
JSON encoding), target < 150 ms for every family: a name without tones, a name being typed,
part of a phone number, a street name, a case number, two words of a case description (global
search, and cases only: the most recent matching cases), and "free words" agents type on the
phone (common complaint words, synonyms such as "cup dien", compounds such as "wifi"); for an
agent and for a field unit's staff (their units' cases and customers only). The index is
(re)built when it is empty or out of date (reports build time), then ANALYZEd; index sizes are
reported.

SQLite: a small demo database (20,000 customers; --quick 3,000) built in a temporary directory
with ``cskh demo``, FTS5 index rebuilt, same query families.

Environment: CSKH_BENCH_SEARCH_REBUILD=1 forces a PostgreSQL rebuild;
CSKH_BENCH_SEARCH_MIN_CUSTOMERS (default 1,000,000) lowers the size required on PostgreSQL
(for development on a smaller database); CSKH_BENCH_SEARCH_QUERIES (default 60) queries per
family; CSKH_BENCH_SEARCH_SQLITE=0 skips the SQLite part.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BIN, Skip, django_setup, ms, require_pg

TARGET = "p95 < 150 ms"
N_QUERIES = int(os.environ.get("CSKH_BENCH_SEARCH_QUERIES", "60"))


def _queries(rng: random.Random, n: int) -> dict[str, list[str]]:
    from cskh.cases.models import Case
    from cskh.core.text import fold
    from cskh.customers.models import Customer, Phone

    max_c = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    max_k = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    cust = list(
        Customer.objects.filter(id__in=[rng.randint(1, max_c) for _ in range(n * 3)])
        .exclude(full_name__startswith="Công ty")
        .values_list("id", "full_name", "address")[:n]
    )
    phones = dict(
        Phone.objects.filter(customer_id__in=[c[0] for c in cust]).values_list(
            "customer_id", "e164"
        )
    )
    cases = list(
        Case.objects.filter(id__in=[rng.randint(1, max_k) for _ in range(n * 2)]).values_list(
            "number", "description"
        )[:n]
    )
    out: dict[str, list[str]] = {
        "name": [],
        "name prefix": [],
        "phone part": [],
        "street": [],
        "case number": [],
        "case words": [],
    }
    for _id, name, address in cust:
        out["name"].append(fold(name))
        words = fold(name).split()
        out["name prefix"].append(" ".join(words[:-1] + [words[-1][:3]]))
        e164 = phones.get(_id)
        if e164:
            national = "0" + e164[3:]
            out["phone part"].append(
                f"{national[:4]} {national[4:7]}" if rng.random() < 0.5 else national[-6:]
            )
        street = re.sub(r"^[\d/]+\s*", "", (address or "").split(",")[0])
        if street:
            out["street"].append(fold(street))
    for number, description in cases:
        out["case number"].append(number if rng.random() < 0.5 else number.rsplit("-", 1)[1])
        words = [w for w in re.findall(r"\w+", fold(description)) if len(w) > 2]
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            out["case words"].append(" ".join(words[i : i + 2]))
    out["case words (cases only)"] = out["case words"]
    # what agents type on the phone (issue #21): common complaint words, a synonym, a compound
    out["free words"] = [
        q
        for q in ("mat dien", "cup dien", "dien yeu", "chap chon", "day dien dut", "hoa don cao")
        + ("cong to", "mat dien tu sang", "khu pho", "wifi", "rot mang", "tien dien tang")
        for _ in range(max(1, n // 12))
    ][:n]
    return out


# families searched in one kind only (the desk's kind filter); the others: global search
FAMILY_KIND = {"case words (cases only)": "case"}


def _measure(label: str, data: str, user, queries: dict[str, list[str]]) -> list[dict]:
    from cskh.search.selectors import search

    rows = []
    for family, qs in queries.items():
        times, found = [], 0
        kind = FAMILY_KIND.get(family)
        for q in qs:
            t = time.perf_counter()
            hits = search(user, q, kind=kind, limit=20)
            times.append(time.perf_counter() - t)
            found += bool(hits)
        median, p95 = ms(times)
        rows.append(
            {
                "benchmark": f"search {label}: {family}",
                "data": data,
                "median": median,
                "p95": p95,
                "result": f"{found}/{len(qs)} queries with results",
                "target": TARGET if label.startswith("PG") else "-",
            }
        )
    return rows


def _sizes_row(label: str, data: str, stats: dict | None) -> dict:
    from cskh.search.indexing import index_sizes

    sizes = index_sizes()
    parts = ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in sizes.items())
    build = ""
    if stats:
        build = f"build {stats['seconds']['total']:.0f} s ({stats['rows']}); "
    return {
        "benchmark": f"search {label}: index",
        "data": data,
        "result": build + parts,
    }


def _pg(args) -> list[dict]:
    min_customers = int(os.environ.get("CSKH_BENCH_SEARCH_MIN_CUSTOMERS", "1000000"))
    if args.quick:
        min_customers = min(min_customers, 10_000)
    require_pg(args.database_url, min_customers=min_customers)
    django_setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from cskh.cases.models import Case
    from cskh.customers.models import Customer
    from cskh.org.models import User
    from cskh.search import indexing
    from cskh.search.models import SearchDocument

    call_command("migrate", "search", verbosity=0, skip_checks=True)
    n_c, n_k = Customer.objects.count(), Case.objects.count()
    data = f"PG {n_c:,} customers / {n_k:,} cases"
    n_docs = SearchDocument.objects.count()
    stats = None
    if os.environ.get("CSKH_BENCH_SEARCH_REBUILD") == "1" or n_docs < 0.9 * (n_c + n_k):
        stats = indexing.rebuild(log_fn=lambda m: print(m, file=sys.stderr))
    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    agent = User.objects.filter(role="agent", is_active=True).first()
    staff = User.objects.filter(role="unit_staff", is_active=True, unit__isnull=False).first()
    if agent is None:
        raise Skip("no agent user in the bench database")
    rng = random.Random(6)
    queries = _queries(rng, 10 if args.quick else N_QUERIES)
    _measure("PG warm-up", data, agent, {k: v[:5] for k, v in queries.items()})
    rows = [_sizes_row("PG", data, stats)]
    rows += _measure("PG agent", data, agent, queries)
    if staff is not None:
        families = ("name", "case words", "case words (cases only)", "free words")
        rows += _measure(
            "PG unit staff", data, staff, {k: queries[k] for k in families if k in queries}
        )
    return rows


def _sqlite(args) -> list[dict]:
    n = 3_000 if args.quick else 20_000
    tmp = Path(tempfile.mkdtemp(prefix="cskh-bench-search-"))
    env = {
        **os.environ,
        "CSKH_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
    }
    for cmd in (
        ["migrate", "-v0", "--skip-checks"],
        ["demo", "--profile", "electricity", "--customers", str(n), "--seed", "1"],
    ):
        subprocess.run([str(BIN / "cskh"), *cmd], env=env, check=True, capture_output=True)
    here = str(Path(__file__).parent)
    script = (
        f"import json, sys; sys.path.insert(0, {here!r}); import bench_search as b; "
        f"print(json.dumps(b._sqlite_inprocess({n}, {bool(args.quick)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def _sqlite_inprocess(n: int, quick: bool) -> list[dict]:
    django_setup()
    from cskh.cases.models import Case
    from cskh.org.models import User
    from cskh.search import indexing

    stats = indexing.rebuild()
    data = f"SQLite {n:,} customers / {Case.objects.count():,} cases"
    agent = User.objects.filter(role="agent", is_active=True).first()
    queries = _queries(random.Random(6), 10 if quick else N_QUERIES)
    _measure("SQLite warm-up", data, agent, {k: v[:5] for k, v in queries.items()})
    return [_sizes_row("SQLite FTS5", data, stats), *_measure("SQLite FTS5", data, agent, queries)]


def run(args) -> list[dict]:
    rows: list[dict] = []
    try:
        if os.environ.get("CSKH_BENCH_SEARCH_SQLITE", "1") != "0":
            rows += _sqlite(args)
    except subprocess.CalledProcessError as exc:
        rows.append({"benchmark": "search SQLite FTS5", "result": f"failed: {exc.stderr[-300:]}"})
    try:
        rows += _pg(args)
    except Skip as exc:
        rows.append({"benchmark": "search PG", "result": f"skipped: {exc}"})
    return rows
