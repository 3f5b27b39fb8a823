"""Reports over the rollup tables at scale (issue #18): every standard report over 12 months
of rollup rows equivalent to 3,000,000 cases (and ~2,000,000 calls), PostgreSQL.

The rollup rows are bulk-loaded (COPY) into a bench database of their own
(`cskh_bench_reports` next to --database-url), the shape the rebuild produces: per day ~3,000
(day × unit × team × channel × type) cells summing to ~8,200 cases, 24 × 8 hourly cells (hour × channel), and
calls per hour × team. Each report is then run with a 12-month range, unfiltered and with a
unit / channel filter; median and p95 over the repeats. Target: p95 < 1 s.

    .venv/bin/python bench/run.py reports [--quick]
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from _common import Skip, django_setup, ms, pg_available

CASES_PER_YEAR = 3_000_000
UNITS, TEAMS, CHANNELS, TYPES = 20, 10, 8, 40
DAY_CELLS, HOUR_CELLS = 3000, 24 * CHANNELS
TARGET = "p95 < 1 s"


def _db_url(base: str) -> str:
    return base.rsplit("/", 1)[0] + "/cskh_bench_reports"


def _ensure_db(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as c:
        if not c.execute("select 1 from pg_database where datname='cskh_bench_reports'").fetchone():
            c.execute("create database cskh_bench_reports")


def _load(days: int, cases_per_year: int) -> dict[str, int]:
    """COPY the rollup rows (skipped when the tables already hold this size)."""
    from django.db import connection
    from django.utils import timezone

    from cskh.core import dbstats
    from cskh.reports.models import CallInterval, CaseDay, CaseHour, CaseMonth
    from cskh.reports.services.rollups import months, rewrite_month

    per_day = cases_per_year // 365
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    have = CaseDay.objects.filter(day__gte=first).count()
    hours = CaseHour.objects.filter(day__gte=first).count()
    if (
        have >= days * DAY_CELLS * 0.95
        and hours == days * HOUR_CELLS
        and CaseMonth.objects.exists()
    ):
        return {
            "case_day": CaseDay.objects.count(),
            "case_hour": CaseHour.objects.count(),
            "calls": CallInterval.objects.count(),
            "case_month": CaseMonth.objects.count(),
        }
    CaseDay.objects.all().delete()
    CaseHour.objects.all().delete()
    CallInterval.objects.all().delete()
    rnd = random.Random(18)
    channels = ["phone", "zalo", "email", "web", "chat", "social", "counter", "api"]
    counts = {"case_day": 0, "case_hour": 0, "calls": 0, "case_month": 0}
    with connection.cursor() as cur:
        with cur.copy(
            f"COPY {CaseDay._meta.db_table} (day, unit_id, team_id, channel, case_type_id, "
            "opened, first_contact, resolved, resolve_minutes, sla_met, sla_breached, open_now, "
            "repeat_7d) FROM STDIN"
        ) as copy:
            for i in range(days):
                d = first + timedelta(days=i)
                cells = rnd.sample(range(UNITS * TEAMS * CHANNELS * TYPES), DAY_CELLS)
                base, extra = divmod(per_day, DAY_CELLS)
                for k, cell in enumerate(cells):
                    u, rest = divmod(cell, TEAMS * CHANNELS * TYPES)
                    t, rest = divmod(rest, CHANNELS * TYPES)
                    ch, ty = divmod(rest, TYPES)
                    n = base + (1 if k < extra else 0)
                    res = n if (today - d).days > 30 else n // 2
                    met = res * 9 // 10
                    copy.write_row(
                        (
                            d,
                            u + 1,
                            100 + t,
                            channels[ch],
                            ty + 1,
                            n,
                            n // 3,
                            res,
                            res * 600.0,
                            met,
                            n - met,
                            n - res,
                            n // 8,
                        )
                    )
                counts["case_day"] += DAY_CELLS
        with cur.copy(
            f"COPY {CaseHour._meta.db_table} (day, hour, channel, opened) FROM STDIN"
        ) as copy:
            for i in range(days):
                d = first + timedelta(days=i)
                base, extra = divmod(per_day, HOUR_CELLS)
                for k in range(HOUR_CELLS):
                    h, ch = divmod(k, CHANNELS)
                    copy.write_row((d, h, channels[ch], base + (k < extra)))
                counts["case_hour"] += HOUR_CELLS
        with cur.copy(
            f"COPY {CallInterval._meta.db_table} (day, hour, unit_id, team_id, offered, "
            "answered, answered_in_sl, abandoned, talk_seconds, wrap_seconds) FROM STDIN"
        ) as copy:
            for i in range(days):
                d = first + timedelta(days=i)
                for h in range(24):
                    for t in range(TEAMS):
                        o = rnd.randint(5, 60)
                        a = o - o // 12
                        copy.write_row(
                            (d, h, 1 + t % UNITS, 100 + t, o, a, a * 4 // 5, o - a, a * 240, a * 45)
                        )
                        counts["calls"] += 1
    for m in months(first, today):  # as recompute_cases does after each day
        rewrite_month(m)
    counts["case_month"] = CaseMonth.objects.count()
    dbstats.analyze([CaseDay, CaseMonth, CaseHour, CallInterval])
    return counts


def run(args) -> list[dict]:
    url = _db_url(args.database_url)
    if not pg_available(args.database_url):
        raise Skip(f"PostgreSQL not reachable at {args.database_url}")
    _ensure_db(url)
    django_setup(url)
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from cskh.org.models import User
    from cskh.reports import selectors

    days = 60 if args.quick else 365
    cases = CASES_PER_YEAR * days // 365
    t0 = time.perf_counter()
    counts = _load(days, CASES_PER_YEAR)
    load_s = time.perf_counter() - t0
    user, _created = User.objects.get_or_create(
        username="bench_manager", defaults={"role": "manager"}
    )
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    variants = {
        "all": {},
        "unit": {"unit_id": 3},
        "channel": {"channel": "zalo"},
    }
    rows = [
        {
            "benchmark": "reports: load rollups (COPY)",
            "data": f"{counts['case_day']:,} day rows, {counts['case_month']:,} month rows, "
            f"{counts['case_hour']:,} hour rows, "
            f"{counts['calls']:,} call rows (~{cases:,} cases, {days} days)",
            "median": f"{load_s:.1f} s",
            "p95": "-",
            "result": "loaded machine",
            "target": "-",
        }
    ]
    repeats = 3 if args.quick else 7
    worst = 0.0
    for code in selectors.REPORTS:
        times: list[float] = []
        for _name, extra in variants.items():
            f = selectors.filters_for(user, start=start, end=today, **extra)
            for _ in range(repeats):
                t = time.perf_counter()
                rep = selectors.report(code, user=user, filters=f)
                times.append(time.perf_counter() - t)
        median, p95 = ms(times)
        times.sort()
        p95_s = times[int(0.95 * (len(times) - 1))]
        worst = max(worst, p95_s)
        rows.append(
            {
                "benchmark": f"reports: {code}",
                "data": f"{days} days, 3 filter variants × {repeats}",
                "median": median,
                "p95": p95,
                "result": f"{len(rep.rows)} rows; {'ok' if p95_s < 1 else 'SLOW'} (loaded)",
                "target": TARGET,
            }
        )
    return rows
