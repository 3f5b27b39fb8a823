"""Customer portal: the "Yêu cầu của tôi" page for signed-in customers under load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> cskh demo --customers 2000 --if-empty
    python bench/bench_portal.py --database-url postgres://postgres@127.0.0.1:5432/<db> \
        [--customers 200] [--seconds 20] [--concurrency 16]
    (or: python bench/run.py portal --database-url …)

Runs the production server (`cskh serve`, 2 worker processes) on the database, signs in
``--customers`` customers that have cases (a session row holding the portal's customer key,
as the one-time-code sign-in leaves it; the sign-in itself is not what is measured), then
``--concurrency`` keep-alive clients fetch /khach-hang/yeu-cau/ as fast as they can for
``--seconds``, each as a random one of those customers. The load generator shares the
machine's cores with the server. Target: 300 requests/s, p95 < 100 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from _common import Skip, django_setup, pct, redis_url, require_pg, serve, wrk_get  # noqa: E402

PAGE = "/khach-hang/yeu-cau/"


def _sessions(n: int) -> list[tuple[str, int, int]]:
    """(session key, customer id, cases) for n customers with the most cases."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from cskh.cases.models import Case
    from cskh.portal.selectors import CUSTOMER_KEY

    rows = list(
        Case.objects.values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n", "customer_id")[:n]
        .values_list("customer_id", "n")
    )
    if not rows:
        raise Skip("no cases in the database: build the demo data first")
    out = []
    for customer_id, cases in rows:
        s = SessionStore()
        s[CUSTOMER_KEY] = customer_id
        s.set_expiry(settings.CSKH_PORTAL_SESSION_HOURS * 3600)
        s.create()
        out.append((s.session_key, customer_id, cases))
    return out


def _check(base: str, keys: list[str]) -> tuple[int, list[int]]:
    """Fetch the page once per session: (wrong answers, page sizes)."""
    bad, sizes = 0, []
    with httpx.Client(base_url=base, timeout=10) as client:
        for key in keys:
            r = client.get(PAGE, cookies={"sessionid": key})
            if r.status_code != 200 or "Yêu cầu của tôi" not in r.text:
                bad += 1
            sizes.append(len(r.content))
    return bad, sizes


def _load(base: str, keys: list[str], seconds: float, concurrency: int):
    latencies: list[float] = []
    errors = [0]
    sizes: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=10) as client:
            while time.monotonic() < stop:
                key = rnd.choice(keys)
                t = time.perf_counter()
                r = client.get(PAGE, cookies={"sessionid": key})
                mine.append(time.perf_counter() - t)
                if r.status_code != 200 or "Yêu cầu của tôi" not in r.text:  # a 302 too
                    with lock:
                        errors[0] += 1
                elif len(sizes) < 200:
                    sizes.append(len(r.content))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors[0], time.monotonic() - started, sizes


def run(args) -> list[dict]:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per request otherwise
    require_pg(args.database_url)
    django_setup(args.database_url)
    from cskh.cases.models import Case
    from cskh.customers.models import Customer

    n_customers = getattr(args, "customers", None) or (50 if args.quick else 200)
    seconds = getattr(args, "seconds", None) or (5 if args.quick else 20)
    concurrency = getattr(args, "concurrency", None) or 16
    sessions = _sessions(n_customers)
    keys = [k for k, _c, _n in sessions]
    cases_each = sorted(n for _k, _c, n in sessions)
    env = {"DATABASE_URL": args.database_url, "CSKH_WARM_UP": "0"}
    redis = redis_url()
    if redis:
        env["REDIS_URL"] = redis
    cookies = [f"sessionid={k}" for k in keys]
    with serve(env=env, workers=2) as base:
        bad, sizes = _check(base, keys)  # every session gets its own page (warms the workers)
        if shutil.which("wrk"):  # C load generator: the figure is the server's
            tool = "wrk"
            wrk_get(base, PAGE, cookies, seconds=3, clients=concurrency)
            r = wrk_get(base, PAGE, cookies, seconds=seconds, clients=concurrency)
            rps, errors, count = r["rps"], r["errors"] + bad, int(r["requests"])
            p50, p95 = r["p50"] * 1000, r["p95"] * 1000
        else:  # Python client: costs the shared 2 cores CPU of its own
            tool = "httpx"
            lat, errors, took, sizes = _load(base, keys, seconds, concurrency)
            rps, count = len(lat) / took, len(lat)
            p50, p95 = pct(lat, 50) * 1000, pct(lat, 95) * 1000
    data = (
        f"{Customer.objects.count():,} customers, {Case.objects.count():,} cases; "
        f"{len(keys)} signed in, {cases_each[0]}–{cases_each[-1]} cases each; "
        f"page {sum(sizes) // max(1, len(sizes)):,} B"
    )
    load = os.getloadavg()[0]
    return [
        {
            "benchmark": f"portal my requests, {concurrency} {tool} clients, {seconds}s",
            "data": data,
            "median": f"{p50:.1f} ms",
            "p95": f"{p95:.1f} ms",
            "result": f"{rps:.0f} req/s, {count:,} requests, {errors} errors, load {load:.1f}",
            "target": "300 req/s, p95 < 100 ms (2 cores)",
        }
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cskh_bench")
    parser.add_argument("--customers", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=0)
    parser.add_argument("--concurrency", type=int, default=0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    try:
        rows = run(args)
    except Skip as exc:
        print(f"skipped: {exc}")
        return 0
    for row in rows:
        for k, v in row.items():
            print(f"{k:>10}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
