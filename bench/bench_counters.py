"""Transaction counters (app counters), issue #15, on PostgreSQL.

Needs a migrated database of its own (never cskh_bench itself):
    createdb -h 127.0.0.1 -U postgres cskh_bench_counters
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cskh_bench_counters .venv/bin/cskh migrate
    python bench/run.py counters --database-url postgres://postgres@127.0.0.1:5432/cskh_bench_counters

1. Figures over a year (``counters.selectors.figures``: per office, counter, hour of day,
   month) on the demo's ticket history (3 offices, built once by ``cskh.demo.counters``).
   Target: p95 < 1 s per grouping.
2. Call next + finish at one counter while 4 threads do the same at 4 other counters of the
   same queue (row locks with SKIP LOCKED): latency of one call and tickets per second.
   Target: p95 < 100 ms, never a ticket twice.
"""

from __future__ import annotations

import threading
import time

from _common import Skip, django_setup, ms, pg_available

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cskh_bench_counters"


def _setup(database_url: str):
    from django.db import connection
    from django.utils import timezone

    from cskh.counters.models import Office, Ticket
    from cskh.org.models import Unit
    from cskh.org.services import create_unit

    if connection.vendor != "postgresql":
        raise Skip("needs PostgreSQL")
    if not Unit.objects.filter(code="BENCH-PC").exists():
        create_unit(code="BENCH-PC", name="Điện lực Bench", kind="field")
    if not Ticket.objects.exists():
        from cskh.demo import counters as demo_counters

        demo_counters.build(profile="electricity", seed=1, now=timezone.now())
    return list(Office.objects.filter(code__startswith="PGD"))


def bench_figures(offices, quick: bool) -> list[dict]:
    from datetime import timedelta

    from django.utils import timezone

    from cskh.counters import selectors
    from cskh.counters.models import Ticket

    end = timezone.localdate()
    start = end - timedelta(days=365)
    n = Ticket.objects.filter(office__in=offices, day__gte=start).count()
    rows = []
    for group in ("office", "counter", "hour", "month"):
        times = []
        for _i in range(3 if quick else 10):
            t = time.perf_counter()
            items = selectors.figures(offices=offices, start=start, end=end, group_by=group)
            times.append(time.perf_counter() - t)
        median, p95 = ms(times)
        rows.append(
            {
                "benchmark": f"counters figures by {group}, one year",
                "data": f"{n:,} tickets, {len(offices)} offices",
                "median": median,
                "p95": p95,
                "result": f"{len(items)} rows",
                "target": "p95 < 1 s",
            }
        )
    return rows


def bench_call_next(office, quick: bool) -> dict:
    from django.db import connections

    from cskh.counters import services
    from cskh.counters.models import Counter, Ticket

    service = office.services.get(letter="A")
    waiting = 100 if quick else 400
    for _i in range(waiting):
        services.issue_ticket(office=office, service=service)
    counters = []
    for number in range(50, 55):
        c, _ = Counter.objects.get_or_create(office=office, number=number)
        c.services.set([service])
        counters.append(c)
    lat: list[list[float]] = [[] for _c in counters]
    taken: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            while True:
                t = time.perf_counter()
                ticket = services.call_next(counter=counters[i], actor=None)
                if ticket is None:
                    return
                lat[i].append(time.perf_counter() - t)
                services.finish(ticket=ticket, counter=counters[i], actor=None)
                with lock:
                    taken.append(ticket.number)
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(counters))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    all_lat = [x for xs in lat for x in xs]
    median, p95 = ms(all_lat)
    Ticket.objects.filter(counter__in=counters).delete()
    return {
        "benchmark": "counters call next + finish, 5 counters at once",
        "data": f"{waiting} waiting tickets",
        "median": median,
        "p95": p95,
        "result": f"{len(taken)} calls, {len(set(taken))} distinct, "
        f"{len(taken) / wall:.0f} tickets/s",
        "target": "p95 < 100 ms, no ticket twice",
    }


def run(args) -> list[dict]:
    url = getattr(args, "database_url", None)
    if not url or url.endswith("/cskh_bench"):
        url = DEFAULT_DB
    if not pg_available(url):
        raise Skip(f"PostgreSQL database not reachable: {url}")
    django_setup(url)
    quick = getattr(args, "quick", False)
    offices = _setup(url)
    if not offices:
        raise Skip("no offices (does the database have field units?)")
    return bench_figures(offices, quick) + [bench_call_next(offices[0], quick)]


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--database-url", default=DEFAULT_DB)
    from run import print_table

    print_table(run(p.parse_args()))
