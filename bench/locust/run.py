"""The 500-agent hour (bench/locust/locustfile.py) against `cskh serve` on PostgreSQL: one command.

    .venv/bin/python bench/locust/run.py                       # cskh_bench, 500 agents, 60 min
    .venv/bin/python bench/locust/run.py --minutes 10          # a shorter steady state
    .venv/bin/python bench/locust/run.py --database-url postgres://…/mydb --agents 50 \
        --minutes 1 --scale 10                                 # a smoke run on small data

It adds the load's own accounts to the database (agents `locust0001`…, one session each, a
token for the `pbx` integration account), samples customers, cases and conversations, starts
`cskh serve --with-workers` (2 web processes by default: the 2-core target), runs locust
headless, and prints p95 per endpoint and the errors as a table, against the target
(p95 < 300 ms, zero errors). Statistics are reset once every simulated person is working,
so the table is the steady state at the rate 500 agents generate.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TARGET_P95_MS = 300

PREPARE = r"""
import json, random, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Max, Min
from cskh.cases.models import Case
from cskh.conversations.models import Conversation
from cskh.customers.models import Customer, Phone
from cskh.org.models import Unit, User
from cskh.org.services import create_api_token, create_user

n_phone, n_written = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(7)
template = User.objects.filter(role=User.Role.AGENT).order_by("username").first()
unit = template.unit if template else Unit.objects.filter(is_default=True).first()
case_types = list(template.case_types.all()) if template else []
password = make_password(None)  # unusable: these accounts only ever use their session
accounts = []
for i in range(1, n_phone + n_written + 1):
    username = f"locust{i:04d}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(username=username, role="agent", unit=unit, first_name="Tải",
                           last_name="Thử", extension=str(50000 + i))
        user.password = password
        user.save(update_fields=["password"])
        if case_types:
            user.case_types.set(case_types)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "cskh.org.backends.PeopleModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    accounts.append({"username": username, "extension": user.extension,
                     "session": session.session_key})
pbx = User.objects.filter(username="pbx").first() or create_user(username="pbx",
                                                                 role="integration")
bounds = Customer.objects.aggregate(lo=Min("id"), hi=Max("id"))
ids = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(6000)]
phones = {}
for cid, e164 in Phone.objects.filter(customer_id__in=ids).values_list("customer_id", "e164"):
    phones.setdefault(cid, e164)
customers = [{"id": cid, "phone": p} for cid, p in list(phones.items())[:2000]]
last = Case.objects.aggregate(hi=Max("id"))["hi"] or 0
cases = []
for number, cid in Case.objects.filter(id__gt=last - 5000).values_list("number", "customer_id")[:3000]:
    p = Phone.objects.filter(customer_id=cid).values_list("e164", flat=True).first()
    if p:
        cases.append({"number": number, "last4": p[-4:]})
    if len(cases) >= 500:
        break
conversations = list(Conversation.objects.exclude(status="closed").order_by("-id")
                     .values_list("id", flat=True)[:300])
print("DATA" + json.dumps({
    "agents": accounts[:n_phone], "written": accounts[n_phone:],
    "pbx_token": create_api_token(user=pbx, name="locust", scopes=["telephony"]),
    "customers": customers, "cases": cases, "conversations": conversations,
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cskh_bench")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--agents", type=int, default=500, help="80%% phone, 20%% written")
    parser.add_argument("--portal-users", type=int, default=50, help="72 look-ups/h each")
    parser.add_argument("--minutes", type=float, default=60, help="measured steady state")
    parser.add_argument("--scale", type=float, default=1.0, help="rate multiplier (smoke runs)")
    parser.add_argument("--workers", type=int, default=2, help="web processes (cskh serve)")
    parser.add_argument("--threads", type=int, default=4, help="CSKH_THREADS per web process")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("the load test runs on PostgreSQL (--database-url postgres://…)")
    busy = _busy(args.database_url)
    if busy:
        sys.exit(f"{busy} other sessions are working in this database (a demo build?): wait")

    n_written = args.agents // 5
    n_phone = args.agents - n_written
    work = Path(tempfile.mkdtemp(prefix="cskh-locust-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(40),  # sessions made here must hold on the server
        "CSKH_VAR_DIR": str(work / "var"),
        "CSKH_THREADS": str(args.threads),
        "DJANGO_SETTINGS_MODULE": "cskh.settings",
    }
    print(f"… preparing {n_phone} phone + {n_written} written agents", file=sys.stderr)
    out = subprocess.run(
        [sys.executable, "-c", PREPARE, str(n_phone), str(n_written)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(out.stderr[-3000:])
    data = json.loads(out.stdout.split("DATA", 1)[1])
    data["portal_users"] = args.portal_users
    if not data["customers"] or not data["cases"]:
        sys.exit("no customers or cases in this database: build it with `cskh demo` first")
    data_file = work / "data.json"
    data_file.write_text(json.dumps(data))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "cskh"), "serve", "--port", str(port), "--workers", str(args.workers)]
        + ["--with-workers"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_ready(server)
        users = n_phone + n_written + args.portal_users
        pacing = 3600 / 25 / args.scale  # a phone agent's call cycle: arrivals spread over it
        ramp = pacing
        seconds = int(ramp + args.minutes * 60)
        prefix = work / "stats"
        print(
            f"… locust: {users} users for {seconds} s ({ramp:.0f} s ramp, then statistics reset)",
            file=sys.stderr,
        )
        load_before = os.getloadavg()
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py")]
            + ["--headless", "-u", str(users), "-r", f"{users / ramp:.3f}"]
            + ["-t", f"{seconds}s", "--host", base, "--csv", str(prefix)]
            + ["--reset-stats", "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"],
            env={
                **os.environ,
                "CSKH_LOCUST_DATA": str(data_file),
                "CSKH_LOCUST_SCALE": str(args.scale),
            },
            check=False,
        )
        load_after = os.getloadavg()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, 15)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
    ok = _report(prefix, args, load_before, load_after)
    return 0 if ok else 1


def _report(prefix: Path, args, load_before, load_after) -> bool:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))  # noqa: SIM115
    cols = ["endpoint", "requests", "req/s", "median ms", "p95 ms", "max ms", "errors", "target"]
    table = []
    ok = True
    for r in rows:
        name = r["Name"] if r["Name"] != "Aggregated" else "ALL"
        if name.startswith("(start)"):
            continue
        p95 = float(r["95%"] or 0)
        errors = int(r["Failure Count"])
        good = p95 < TARGET_P95_MS and errors == 0
        ok &= good
        table.append(
            [
                f"{r['Type']} {name}".strip(),
                r["Request Count"],
                f"{float(r['Requests/s']):.2f}",
                f"{float(r['Median Response Time'] or 0):.0f}",
                f"{p95:.0f}",
                f"{float(r['Max Response Time'] or 0):.0f}",
                str(errors),
                "ok" if good else "MISSED",
            ]
        )
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(cols)]
    print(
        f"\n{args.agents} agents ({args.agents - args.agents // 5} phone, {args.agents // 5} "
        f"written) + {args.portal_users} portal customers, {args.minutes:g} min steady state, "
        f"rate ×{args.scale:g}, {args.workers} web processes × {args.threads} threads; "
        f"{os.cpu_count()} cores, load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (1 min)"
    )
    print(" | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for t in table:
        print(" | ".join(c.ljust(w) for c, w in zip(t, widths, strict=True)))
    for f in failures:
        print(f"error: {f['Method']} {f['Name']}: {f['Error']} × {f['Occurrences']}")
    print(
        f"target: p95 < {TARGET_P95_MS} ms and zero errors per endpoint: {'met' if ok else 'MISSED'}"
    )
    return ok


def _busy(database_url: str) -> int:
    """Other sessions running statements in the database (a demo build writing to it)."""
    import psycopg

    url = database_url.replace("postgres://", "postgresql://")
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'active'"
        ).fetchone()[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(server: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    assert server.stdout is not None
    for line in server.stdout:
        if "cskh: ready on" in line:
            # keep reading what the server prints, or it blocks on a full pipe
            threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
            return
        if time.monotonic() > deadline:
            break
    sys.exit("cskh serve did not come up")


if __name__ == "__main__":
    sys.exit(main())
