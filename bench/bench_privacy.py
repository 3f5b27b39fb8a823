"""Audit of reads (cskh.privacy, issue #20): what the access-log row adds to the desk card.

In process, on PostgreSQL (BENCH_PRIVACY_DB, default the database of this worktree,
``wt_privacy``): migrates it, makes one agent and a customer with 20 cases and 2 000 access-log
rows already there, then times (1) ``GET /desk/customers/<id>/card`` through the Django test
client (the whole view, which writes one AccessLog row), (2) ``privacy.services.record_access``
alone (the added cost: one INSERT), (3) ``record_accesses`` of a 9-customer pick list.

    .venv/bin/python bench/run.py privacy
"""

from __future__ import annotations

import os
import time

from _common import Skip, django_setup, ms, pg_available

DB = os.environ.get("BENCH_PRIVACY_DB", "postgres://postgres@127.0.0.1:5432/wt_privacy")
TARGET = "card < 300 ms; log row < 2 ms"


def _timed(fn, n: int) -> list[float]:
    out = []
    for _i in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def run(args) -> list[dict]:
    if not pg_available(DB):
        raise Skip(f"PostgreSQL not reachable at {DB}")
    os.environ["REDIS_URL"] = ""
    django_setup(DB)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from cskh.cases.services import open_case
    from cskh.catalog.services import get_case_type, install_profile
    from cskh.core.errors import DomainError
    from cskh.customers.services import create_customer
    from cskh.org.models import User
    from cskh.org.services import create_user
    from cskh.privacy import services
    from cskh.privacy.models import AccessLog

    try:
        from cskh.catalog.services import active_profile

        active_profile()
    except DomainError:
        install_profile("electricity")
    agent = User.objects.filter(username="bench_privacy_agent").first() or create_user(
        username="bench_privacy_agent", role="agent"
    )
    customer = create_customer(full_name="Khách Đo Hiệu Năng", phones=["0988 000 111"])
    try:
        outage = get_case_type("outage")
        for i in range(20):
            open_case(customer=customer, case_type=outage, description=f"Mất điện lần {i}")
    except Exception:  # no catalog in this database: the card without cases
        pass
    AccessLog.objects.bulk_create(
        AccessLog(at=customer.created_at, user_id=agent.pk, customer_id=customer.pk, action="card")
        for _i in range(2000)
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent)
    url = f"/desk/customers/{customer.pk}/card"
    first = client.get(url)
    if first.status_code != 200:
        raise RuntimeError(f"card answered {first.status_code}")
    n = 30 if args.quick else 150
    card = _timed(lambda: client.get(url), n)
    one = _timed(
        lambda: services.record_access(user=agent, customer_id=customer.pk, action="card"), n * 4
    )
    ids = list(range(customer.pk, customer.pk + 9))
    pick = _timed(
        lambda: services.record_accesses(user=agent, customer_ids=ids, action="search"), n
    )
    rows = AccessLog.objects.count()
    med_card, p95_card = ms(card)
    med_one, p95_one = ms(one)
    med_pick, p95_pick = ms(pick)
    data = f"PG, {customer.cases.count()} cases, {rows:,} log rows (loaded)"
    return [
        {
            "benchmark": "desk card GET (incl. log row)",
            "data": data,
            "median": med_card,
            "p95": p95_card,
            "result": f"n={n}",
            "target": "< 300 ms",
        },
        {
            "benchmark": "access log: one row",
            "data": data,
            "median": med_one,
            "p95": p95_one,
            "result": f"n={n * 4}",
            "target": "< 2 ms",
        },
        {
            "benchmark": "access log: pick list of 9",
            "data": data,
            "median": med_pick,
            "p95": p95_pick,
            "result": f"n={n}",
            "target": "-",
        },
    ]


if __name__ == "__main__":
    import argparse

    from run import COLUMNS

    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    for row in run(p.parse_args()):
        print(" | ".join(str(row[c]) for c in COLUMNS))
