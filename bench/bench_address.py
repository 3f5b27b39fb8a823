"""Free-text address -> current ward (cskh.geo.address), issue #21.

Accuracy on the generated evaluation set (cskh.geo.evalset: old and new forms, full / no
diacritics / abbreviated, numbered wards, dashes, missing commas, type words or province left
out; HCMC, Hà Nội, Đà Nẵng, Cần Thơ and five rural provinces; fixed seed) and on a larger set
with another seed; resolution time per address (median / p95, through
geo.selectors.resolve_address, index warm) and the one-off index build.

"Right" means: one current ward, the expected one; or, for an old ward split between several
current wards (and names that only diacritics tell apart, written without them), a choice of
exactly those wards (the agent picks).

Needs only the ward tables: it migrates its own SQLite file (CSKH_BENCH_ADDRESS_DB, default
/tmp/cskh_bench_address.sqlite3; about a minute the first time).

    .venv/bin/python bench/run.py address
"""

from __future__ import annotations

import os
import time
from collections import Counter

from _common import django_setup, ms

TARGET = 0.95


def run(args) -> list[dict]:
    url = os.environ.get("CSKH_BENCH_ADDRESS_DB", "sqlite:////tmp/cskh_bench_address.sqlite3")
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cskh.core import refcache
    from cskh.geo import evalset
    from cskh.geo.models import LegacyWard, Ward
    from cskh.geo.selectors import address_index, resolve_address

    refcache.clear()
    t0 = time.perf_counter()
    address_index()
    build = time.perf_counter() - t0
    rows = [
        {
            "benchmark": "address: build index",
            "data": f"{Ward.objects.count():,} wards, {LegacyWard.objects.count():,} old wards",
            "median": f"{build * 1000:.0f} ms",
            "p95": "-",
            "result": "once per process",
            "target": "-",
        }
    ]
    sizes = [(400, evalset.SEED)] + ([] if args.quick else [(3000, 7)])
    for size, seed in sizes:
        samples = evalset.generate(size, seed=seed)
        times: list[float] = []
        right = 0
        by_kind: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        for s in samples:
            t = time.perf_counter()
            r = resolve_address(s.text)
            times.append(time.perf_counter() - t)
            kind = "split" if s.expects_choice else s.form
            totals[kind] += 1
            if s.is_right(r):
                right += 1
                by_kind[kind] += 1
        median, p95 = ms(times)
        detail = ", ".join(f"{k} {by_kind[k]}/{totals[k]}" for k in sorted(totals))
        rows.append(
            {
                "benchmark": f"address: right ward (seed {seed})",
                "data": f"{size} addresses, {len(evalset.PROVINCES)} provinces",
                "median": median,
                "p95": p95,
                "result": f"{right / size:.1%} ({detail})",
                "target": f">= {TARGET:.0%}, < 5 ms",
            }
        )
    return rows
