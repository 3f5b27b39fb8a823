"""The storm (issue #5): grouping quality, API latency under a call surge, bulk notification.

PostgreSQL (``--database-url``, default cskh_bench with 1,000,000 customers). Until that exists,
a smaller demo database is used: CSKH_BENCH_STORM_URL (default .../inc_bench, built with
``cskh demo --customers 120000``); the benchmark skips when neither has ≥ 50,000 customers.

1. Ground truth: N_TRANSFORMERS transformer failures (distinct feeders) and one feeder failure
   (all its transformers). 20–40 % of the affected customers (per failure) call within 30
   simulated minutes (early-peaked arrival), plus background traffic (random customers, random
   case types, outage ones included) at a normal rate.
2. Replay through the HTTP API of a live ``cskh serve`` (2 processes): POST /api/v1/cases at
   their scheduled time, at most 50 cases/s, plus a shift-lead poll of GET /api/v1/incidents
   every second, 8 client connections. Simulated time is compressed ×SCALE (30 simulated
   minutes in 90 real seconds) and the grouping windows with it (CSKH_INCIDENT_RULES
   window_seconds = 15 min / SCALE).
3. Report precision / recall of case→incident links (an incident is right for a case when its
   scope names the failed transformer/feeder of that case), simulated time from the call that
   reaches the threshold to the suspected incident, API p95.
4. Notify 50,000: an incident over whole feeders holding ≥ 50,000 customers is resolved through
   the API; a task worker (``cskh worker``) runs the cascade (paced per channel, see
   cskh.notify.broadcast) and 2 notify workers deliver to the log backend (a file).
   Time = resolve request → every outbox row of the incident sent/skipped.

The benchmark writes to its database (cases, incidents, outbox rows): live incidents left there
(e.g. by an earlier --quick run) are dismissed first; every incident it creates is resolved
in the full run.
"""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _common import BIN, Skip, django_setup, pct, pg_available, serve

SCALE = 20.0  # simulated seconds per real second
STORM_MINUTES = 30
N_TRANSFORMERS = 5
MAX_RATE = 50.0  # cases per second
NOTIFY_TARGET = 50_000
MIN_CUSTOMERS = 50_000
FULL_CUSTOMERS = 1_000_000
OUTAGE_TYPES = ("outage", "power_quality")


def _count_customers(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=3) as c:
            c.execute("set lock_timeout = '2s'")
            c.execute("set statement_timeout = '20s'")
            return c.execute("select count(*) from customers_customer").fetchone()[0]
    except psycopg.Error:
        return 0


def _pick_database(args) -> tuple[str, int]:
    fallback = os.environ.get(
        "CSKH_BENCH_STORM_URL", "postgres://postgres@127.0.0.1:5432/inc_bench"
    )
    # the full data set (1M customers), else the development one; a database still being
    # built (locked tables) counts as absent
    for url, need in ((args.database_url, FULL_CUSTOMERS), (fallback, MIN_CUSTOMERS)):
        if url and pg_available(url):
            n = _count_customers(url)
            if n >= need:
                return url, n
    raise Skip(
        f"needs PostgreSQL with ≥ {MIN_CUSTOMERS:,} customers at {args.database_url} or "
        f"{fallback} (cskh demo --customers 1000000)"
    )


def _server_errors(log: Path) -> list[str]:
    text = log.read_text(errors="replace") if log.exists() else ""
    return [ln for ln in text.splitlines() if "Error:" in ln and not ln.startswith(" ")][-5:]


# ---------------------------------------------------------------------------------- scenario


def _scenario(rng: random.Random, quick: bool):
    from django.db.models import Count

    from cskh.customers.models import ServicePoint

    sps = ServicePoint.objects.exclude(status="terminated").exclude(transformer_code="")
    t_sizes = dict(
        sps.values("transformer_code").annotate(n=Count("id")).values_list("transformer_code", "n")
    )
    t_feeder = dict(sps.values_list("transformer_code", "feeder_code").distinct())
    feeders: dict[str, list[str]] = {}
    for t, f in t_feeder.items():
        feeders.setdefault(f, []).append(t)
    feeder_pool = sorted(f for f, ts in feeders.items() if 3 <= len(ts) <= 10)
    failed_feeder = rng.choice(feeder_pool)
    used = {failed_feeder}
    t_pool = sorted(t for t, n in t_sizes.items() if n >= 60 and t_feeder[t] != failed_feeder)
    rng.shuffle(t_pool)
    failed_t: list[str] = []
    for t in t_pool:
        if t_feeder[t] not in used:
            failed_t.append(t)
            used.add(t_feeder[t])
        if len(failed_t) == (2 if quick else N_TRANSFORMERS):
            break
    failures = [("transformer", t) for t in failed_t] + [("feeder", failed_feeder)]
    members: dict[tuple, list[tuple[int, str, str]]] = {}
    for level, code in failures:
        qs = (
            sps.filter(transformer_code=code)
            if level == "transformer"
            else sps.filter(feeder_code=code)
        )
        members[(level, code)] = list(qs.values_list("customer_id", "code", "transformer_code"))
    calls = []  # (sim_seconds, customer_id, sp_code, type, truth)
    starts = {}
    for f in failures:
        start = rng.uniform(0, 300)
        starts[f] = start
        share = rng.uniform(0.2, 0.4)
        people = members[f]
        callers = rng.sample(people, max(1, round(len(people) * share)))
        for cid, sp_code, _t in callers:
            delay = min(STORM_MINUTES * 60 - 1, rng.triangular(0, STORM_MINUTES * 60, 120))
            calls.append((start + delay, cid, sp_code, rng.choice(OUTAGE_TYPES), f))
    affected = {cid for people in members.values() for cid, _s, _t in people}
    # background: a normal hour's rate of cases over random customers
    n_bg = max(30, round(_total_customers() / 1_000_000 * 60 * STORM_MINUTES / 60 * 4))
    bg_sps = _random_service_points(rng, n_bg * 2, exclude=affected)[:n_bg]
    types = ["outage", "power_quality", "billing", "meter", "general", "payment"]
    for cid, sp_code in bg_sps:
        calls.append((rng.uniform(0, STORM_MINUTES * 60), cid, sp_code, rng.choice(types), None))
    calls.sort(key=lambda c: c[0])
    return failures, members, calls, t_feeder


def _total_customers() -> int:
    from cskh.customers.models import Customer

    return Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _random_service_points(rng, n, *, exclude):
    from cskh.customers.models import ServicePoint

    top = ServicePoint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(n * 3)]
    rows = ServicePoint.objects.filter(id__in=ids).exclude(status="terminated")
    return [(c, s) for c, s in rows.values_list("customer_id", "code") if c not in exclude][:n]


def _valid_types() -> set[str]:
    from cskh.catalog.models import CaseType

    return set(CaseType.objects.filter(is_active=True).values_list("code", flat=True))


# ---------------------------------------------------------------------------------- replay


def _replay(base: str, token: str, calls, stop_poll):
    """Send every call at its scheduled real time (≤ MAX_RATE/s). Returns {index: (case_id,
    sent_real)}, POST latencies, poll latencies."""
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[int, tuple[int, float]] = {}
    post_lat: list[float] = []
    poll_lat: list[float] = []
    errors: list[str] = []
    retries: list[int] = []
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=base, headers=headers, timeout=30)
        return local.c

    def send(i, call):
        sim, cid, sp_code, ctype, _truth = call
        t = time.monotonic()
        r = None
        for attempt in range(3):  # a 503/500 (e.g. PostgreSQL out of connections) is retried
            try:
                r = client().post(
                    "/api/v1/cases",
                    json={
                        "customer_id": cid,
                        "service_point": sp_code,
                        "type": ctype,
                        "description": "Khách hàng báo mất điện."
                        if ctype in OUTAGE_TYPES
                        else "Hỏi đáp",
                        "channel": "phone",
                    },
                )
            except httpx.HTTPError as exc:  # timeout under overload: counted as failed
                errors.append(repr(exc))
                post_lat.append(time.monotonic() - t)
                return
            if r.status_code < 500:
                break
            retries.append(r.status_code)
            time.sleep(0.5 * (attempt + 1))
        post_lat.append(time.monotonic() - t)
        if r.status_code == 201:
            results[i] = (r.json()["id"], t)
        else:
            errors.append(f"{r.status_code} {r.text[:200]}")

    def poller():
        with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
            while not stop_poll.is_set():
                t = time.monotonic()
                try:
                    c.get("/api/v1/incidents", params={"status": "live", "limit": 50})
                except httpx.HTTPError:
                    pass
                poll_lat.append(time.monotonic() - t)
                stop_poll.wait(1.0)

    warm = httpx.Client(base_url=base, headers=headers, timeout=60)
    for call in calls[:: max(1, len(calls) // 4)][:4]:  # load code paths in both processes
        warm.post(
            "/api/v1/cases",
            json={"customer_id": call[1], "type": "general", "description": "Hỏi đáp"},
        )
    warm.close()
    poll_thread = threading.Thread(target=poller, daemon=True)
    poll_thread.start()
    t0 = time.monotonic()
    next_slot = t0
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = []
        for i, call in enumerate(calls):
            due = t0 + call[0] / SCALE
            next_slot = max(due, next_slot + 1 / MAX_RATE)
            delay = next_slot - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send, i, call))
        for f in futures:
            f.result()
    stop_poll.set()
    poll_thread.join(5)
    if errors:
        print(f"  storm: {len(errors)} failed requests, e.g. {errors[:3]}", flush=True)
    print(f"  storm: {len(retries)} retried 5xx responses", flush=True)
    return results, post_lat, poll_lat, t0, len(errors), len(retries)


def _evaluate(calls, results, failures, t_feeder, t0):
    from cskh.incidents.models import Incident, IncidentCase, IncidentScope
    from cskh.incidents.rules import rules

    case_ids = {results[i][0]: i for i in results}
    links = dict(
        IncidentCase.objects.filter(case_id__in=case_ids).values_list("case_id", "incident_id")
    )
    scopes: dict[int, set] = {}
    for inc_id, level, code in IncidentScope.objects.filter(
        incident_id__in=set(links.values())
    ).values_list("incident_id", "level", "code"):
        scopes.setdefault(inc_id, set()).add((level, code))
    linked = correct = storm = storm_correct = 0
    for case_id, i in case_ids.items():
        truth = calls[i][4]
        inc = links.get(case_id)
        if truth is not None:
            storm += 1
        if inc is None:
            continue
        linked += 1
        ok = truth is not None and truth in scopes.get(inc, set())
        correct += ok
        storm_correct += ok
    precision = correct / linked if linked else 0.0
    recall = storm_correct / storm if storm else 0.0
    # threshold → suspected (simulated time)
    rule = rules()
    need_t = rule["transformer"].min_cases
    delays = []
    missed = []
    for f in failures:
        sent = sorted(
            results[i][1] for i in results if calls[i][4] == f
        )  # real send times of this failure's calls
        if f[0] == "transformer":
            if len(sent) < need_t:
                continue
            reached = sent[need_t - 1]
        else:
            per_t: dict[str, list[float]] = {}
            for i in results:
                if calls[i][4] == f:
                    per_t.setdefault(_t_of(calls[i]), []).append(results[i][1])
            thirds = sorted(sorted(v)[need_t - 1] for v in per_t.values() if len(v) >= need_t)
            if len(thirds) < rule["feeder"].min_children:
                continue
            reached = thirds[rule["feeder"].min_children - 1]
        inc = (
            Incident.objects.filter(scopes__level=f[0], scopes__code=f[1])
            .exclude(status__in=["merged", "dismissed"])
            .order_by("id")
            .first()
        )
        if inc is None:
            missed.append(f)
            continue
        # created_at: when the suspected incident row was written (server wall clock), i.e. in
        # the transaction of the case that crossed the threshold (or of the escalation)
        wall_reached = time.time() - (time.monotonic() - reached)
        delays.append(max(0.0, inc.created_at.timestamp() - wall_reached) * SCALE)
    return precision, recall, linked, storm, delays, missed


_SP_T: dict[str, str] = {}


def _t_of(call) -> str:
    return _SP_T.get(call[2], "")


# ---------------------------------------------------------------------------------- notify


def _big_scope(exclude_feeders: set[str]) -> tuple[list[str], int]:
    from django.db.models import Count

    from cskh.customers.models import ServicePoint

    rows = (
        ServicePoint.objects.exclude(status="terminated")
        .exclude(feeder_code="")
        .exclude(feeder_code__in=exclude_feeders)
        .values("feeder_code")
        .annotate(n=Count("customer_id", distinct=True))
        .order_by("-n", "feeder_code")
    )
    chosen, total = [], 0
    for r in rows:
        chosen.append(r["feeder_code"])
        total += r["n"]
        if total >= NOTIFY_TARGET:
            break
    return chosen, total


def _notify_phase(base, token, env, storm_incidents, exclude_feeders, logdir: Path) -> dict:
    from cskh.incidents.models import Incident
    from cskh.notify.models import Notification

    feeders, approx = _big_scope(exclude_feeders)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
        for _attempt in range(5):
            r = c.post(
                "/api/v1/incidents",
                json={
                    "kind": "unplanned_outage",
                    "title": "Bench: mất điện diện rộng",
                    "scope": {"feeders": feeders},
                },
            )
            if r.status_code < 500:
                break
            time.sleep(2)
        if r.status_code != 201:
            return {"error": f"POST /incidents → {r.status_code} {r.text[:200]}"}
        big = r.json()["id"]
        procs = []
        wenv = {**env, "CSKH_NOTIFY_ENQUEUE": "0"}
        with open(logdir / "task-worker.log", "w") as out:
            procs.append(
                subprocess.Popen(
                    [str(BIN / "cskh"), "worker", "--queue-name", "notify", "--interval", "0.2"],
                    env=wenv,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        for k in range(2):
            with open(logdir / f"notify-worker-{k}.log", "w") as out:
                procs.append(
                    subprocess.Popen(
                        [
                            str(BIN / "cskh"),
                            "notify_worker",
                            "--batch",
                            "200",
                            "--idle-sleep",
                            "0.2",
                        ],
                        env=wenv,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        try:
            time.sleep(3)  # workers up
            for inc_id in storm_incidents:
                c.post(f"/api/v1/incidents/{inc_id}/transitions", json={"to": "resolved"})
            t0 = time.monotonic()
            for _attempt in range(5):
                r = c.post(f"/api/v1/incidents/{big}/transitions", json={"to": "resolved"})
                if r.status_code < 500:
                    break
                time.sleep(1)
            if r.status_code != 200:
                return {"error": f"resolve → {r.status_code} {r.text[:200]}"}
            deadline = t0 + 600
            total = done = 0
            while time.monotonic() < deadline:
                inc = Incident.objects.get(pk=big)
                total = inc.notify_total
                done = Notification.objects.filter(
                    incident_id=big, status__in=["sent", "skipped", "failed"]
                ).count()
                if total and done >= total:
                    break
                time.sleep(0.5)
            elapsed = time.monotonic() - t0
            sent = Notification.objects.filter(incident_id=big, status="sent").count()
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
    return {
        "customers": total,
        "done": done,
        "sent": sent,
        "seconds": elapsed,
        "feeders": len(feeders),
    }


# ---------------------------------------------------------------------------------- run


def run(args) -> list[dict]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url, n_customers = _pick_database(args)
    vardir = tempfile.mkdtemp(prefix="cskh-storm-")
    os.environ["CSKH_VAR_DIR"] = vardir
    window = 15 * 60 / SCALE
    rules_env = json.dumps(
        {lvl: {"window_seconds": window} for lvl in ("transformer", "feeder", "ward")}
    )
    os.environ["CSKH_INCIDENT_RULES"] = rules_env
    django_setup(url)
    from cskh.incidents.models import Incident, IncidentRule
    from cskh.org.models import User
    from cskh.org.services import create_api_token, create_user

    if IncidentRule.objects.filter(is_active=True).exists():
        raise Skip("IncidentRule rows in the database override the benchmark's windows")
    user = User.objects.filter(username="bench_storm").first() or create_user(
        username="bench_storm", role="shift_lead"
    )
    token = create_api_token(user=user, name="bench_storm")
    # earlier runs: nothing live may remain
    Incident.objects.filter(status__in=Incident.LIVE).update(status="dismissed")
    from cskh.incidents.models import IncidentScope

    IncidentScope.objects.filter(live=True).update(live=False)

    rng = random.Random(5)
    failures, members, calls, t_feeder = _scenario(rng, args.quick)
    valid = _valid_types()
    calls = [c if c[3] in valid else (c[0], c[1], c[2], "general", c[4]) for c in calls]
    for people in members.values():
        for _cid, sp_code, t in people:
            _SP_T[sp_code] = t
    affected = len({cid for people in members.values() for cid, _s, _t in people})
    n_storm = sum(1 for c in calls if c[4] is not None)
    env = {
        "DATABASE_URL": url,
        "CSKH_VAR_DIR": vardir,
        "CSKH_INCIDENT_RULES": rules_env,
        "CSKH_NOTIFY_ENQUEUE": "0",
        "LOG_LEVEL": "WARNING",
    }
    stop = threading.Event()
    server_log = Path(vardir) / "serve.log"
    with serve(env, workers=2, log=server_log) as base:
        t_start = time.monotonic()
        results, post_lat, poll_lat, t0, n_failed, n_retried = _replay(base, token, calls, stop)
        replay_s = time.monotonic() - t_start
        load = os.getloadavg()[0]
        precision, recall, linked, storm, delays, missed = _evaluate(
            calls, results, failures, t_feeder, t0
        )
        storm_incidents = list(
            Incident.objects.filter(status__in=Incident.LIVE).values_list("id", flat=True)
        )
        notify = None
        if not args.quick:
            logdir = Path(vardir)
            excl = {f[1] for f in failures if f[0] == "feeder"} | {
                t_feeder[f[1]] for f in failures if f[0] == "transformer"
            }
            notify = _notify_phase(base, token, env, storm_incidents, excl, logdir)
    # the replay wrote thousands of cases, links, notifications and clocks into a shared
    # database whose autovacuum may be off: fresh statistics for whoever measures next
    from cskh.core import dbstats

    dbstats.analyze()
    errors = _server_errors(server_log)
    if errors:
        print(f"  server errors ({server_log}):", *errors, sep="\n    ", flush=True)
    data = (
        f"{n_customers:,} customers; {len(failures) - 1} transformers + 1 feeder failed "
        f"({affected:,} affected); {len(calls):,} cases ({n_storm:,} storm) in "
        f"{STORM_MINUTES} sim-min replayed in {replay_s:.0f} s; load avg {load:.1f} on "
        f"{os.cpu_count()} cores"
    )
    all_lat = post_lat + poll_lat
    rows = [
        {
            "benchmark": "storm: case→incident links",
            "data": data,
            "result": f"precision {precision:.3f}, recall {recall:.3f} "
            f"({linked} linked / {storm} storm cases; missed failures: {len(missed)})",
            "target": "≥ 0.95 both",
        },
        {
            "benchmark": "storm: threshold → suspected (simulated)",
            "data": f"{len(delays)} failures, time ×{SCALE:.0f}",
            "median": f"{sorted(delays)[len(delays) // 2]:.1f} s" if delays else "-",
            "p95": f"{pct(delays, 95):.1f} s" if delays else "-",
            "result": f"max {max(delays):.1f} s" if delays else "no incident",
            "target": "< 120 s",
        },
        {
            "benchmark": "storm: API latency",
            "data": f"{len(post_lat)} POST /cases + {len(poll_lat)} GET /incidents",
            "median": f"{sorted(all_lat)[len(all_lat) // 2] * 1000:.1f} ms",
            "p95": f"{pct(all_lat, 95) * 1000:.1f} ms",
            "result": f"POST p95 {pct(post_lat, 95) * 1000:.1f} ms; {n_retried} 5xx retried, "
            f"{n_failed} failed",
            "target": "p95 < 200 ms",
        },
    ]
    if notify and "error" in notify:
        rows.append({"benchmark": "storm: notify on resolution", "result": notify["error"]})
    elif notify:
        rows.append(
            {
                "benchmark": "storm: notify on resolution",
                "data": f"{notify['customers']:,} customers on {notify['feeders']} feeders, "
                "1 task worker + 2 notify workers, log backend",
                "result": f"{notify['seconds']:.1f} s ({notify['done']:,} done, "
                f"{notify['sent']:,} sent)",
                "target": "< 180 s",
            }
        )
    return rows
