"""CPU per case opened through POST /api/v1/cases, split between the application and PostgreSQL.

Case creation's throughput on the 2-core machine is bounded by CPU: the server's Python and
PostgreSQL's backends share the cores. On a machine loaded by other work, cases/s swings with
the load, while CPU seconds per case barely do: this benchmark opens cases in-process through
Django's test client (the API's full middleware, auth, validation and hooks) and reports this
process's CPU time and its PostgreSQL backend's CPU time (/proc, Linux) per case. 2,000 ms
divided by their sum is the rate two quiet cores could sustain without HTTP and load-generator
costs. The mix is bench_foundation's (BENCH_WITH_GROUPING=1 adds outage grouping); the cases
are deleted afterwards.
"""

from __future__ import annotations

import json
import os
import statistics
import time

from _common import Skip, django_setup, redis_url, require_pg

N = 400


def run(args) -> list[dict]:
    require_pg(args.database_url, min_customers=1_000 if args.quick else 1_000_000)
    if not os.path.exists("/proc/self/stat"):
        raise Skip("needs /proc (Linux) to read CPU times")
    # the deployment's cache: Redis when there is one (else the cache table adds queries)
    os.environ.setdefault("REDIS_URL", redis_url())
    django_setup(args.database_url)
    import bench_foundation as bf
    from django.db import connection
    from django.test import Client

    samples = bf._samples(300 if args.quick else 1_000)
    token, _user = bf._token()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    numbers: list[str] = []  # the cases made here, deleted at the end
    n = 100 if args.quick else N

    def post(k: int) -> None:
        cid, phone, _code = samples[k % len(samples)]
        body = bf._body(k, cid)
        if k % 4 == 0:
            body = {**body, "phone": phone}
            del body["customer_id"]
        r = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
        if r.status_code != 201:
            raise RuntimeError(f"POST /api/v1/cases: {r.status_code} {r.content[:300]!r}")
        numbers.append(r.json()["number"])

    def backend_cpu() -> float:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    app, pg = [], []
    try:
        for k in range(40):  # warm: process caches, plans, the year's number sequence
            post(k)
        for rnd in range(3):
            pg0, cpu0 = backend_cpu(), time.process_time()
            for k in range(n):
                post(40 + rnd * n + k)
            app.append((time.process_time() - cpu0) / n)
            pg.append((backend_cpu() - pg0) / n)
    finally:
        bf._revoke(token)
        bf._delete_cases(numbers)
    size = f"{bf._count('customers_customer'):,} customers, {bf._count('cases_case'):,} cases"
    app_ms, pg_ms = statistics.median(app) * 1000, statistics.median(pg) * 1000
    mix = "with outage grouping" if os.environ.get("BENCH_WITH_GROUPING") == "1" else "no grouping"
    return [
        {
            "benchmark": f"intake CPU: POST /api/v1/cases in-process ({mix})",
            "data": f"{size} (PostgreSQL); 3 x {n} cases, median",
            "median": f"app {app_ms:.1f} ms + PostgreSQL {pg_ms:.1f} ms CPU per case",
            "p95": "-",
            "result": f"≈ {2000 / (app_ms + pg_ms):.0f} cases/s on 2 cores (no HTTP)",
            "target": "≥ 200 cases/s over HTTP (bench_foundation)",
        }
    ]
