"""docs/deploy.md in miniature on one machine: nginx (Debian's) in front of two `cskh serve`
processes ("hosts" A and B, each with its own var directory) sharing PostgreSQL, Redis and a
media directory; two task workers, two notification workers and two schedulers of which exactly
one leads. The nginx configuration is deploy/nginx/cskh.conf, the file the guide tells
operators to install.

Checked as a person and an integrator would: a browser session moves between the two web
processes, a screen pop published through one reaches an agent connected to the other, a photo
uploaded through one is served by the other, and killing one web process in the middle of a
load of case creations loses no case (nginx retries idempotent requests; the client retries
its POSTs with the same Idempotency-Key).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests import dbtemplate
from tests.cli.test_serve_and_commands import (
    CSKH,
    ON_PG,
    _free_port,
    _read_lines,
    _wait_for,
)
from tests.conftest import IN_CI, csp_guard

REDIS_URL = os.environ.get("REDIS_URL", "")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "cskh.conf"
PASSWORD = "Matkhau!2026"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

pytestmark = [
    pytest.mark.skipif(
        not (ON_PG and REDIS_URL),
        reason="several machines share PostgreSQL and Redis: this runs in the PostgreSQL + "
        "Redis pass of scripts/test.sh (SQLite is a one-machine database)",
    ),
    pytest.mark.browser,
    pytest.mark.postgres,  # so the PostgreSQL pass selects it although it drives Chromium
    # one cluster per test run: scripts/test.sh runs xdist with --dist loadgroup
    pytest.mark.xdist_group("several_machines"),
]

SETUP = """
import json
from cskh.catalog.services import install_profile
from cskh.customers.services import create_customer
from cskh.org.services import create_api_token, create_unit, create_user
install_profile("electricity")
center = create_unit(code="CSKH", name="Trung tâm CSKH", kind="center", is_default=True)
unit = create_unit(code="PC-SG", name="Điện lực Sài Gòn", kind="field", ward_codes=[26743])
lead = create_user(username="truongca", password="Matkhau!2026", role="shift_lead", unit=center)
agent = create_user(username="tvv01", password="Matkhau!2026", role="agent", unit=center,
                    first_name="Lan", last_name="Trần", extension="1001")
staff = create_user(username="dl_sg", password="Matkhau!2026", role="unit_staff", unit=unit)
pbx = create_user(username="pbx", role="integration")
customer = create_customer(full_name="Nguyễn Văn An", phones=["0901 234 567"],
                           address="12 Lê Lợi, Phường Bến Thành", ward_code=26743)
print("SETUP" + json.dumps({
    "customer": customer.pk,
    "lead": create_api_token(user=lead, name="t"),
    "staff": create_api_token(user=staff, name="t"),
    "pbx": create_api_token(user=pbx, name="t", scopes=["telephony"]),
}))
"""


def render_nginx(*, listen: int, web: list[int]) -> str:
    """deploy/nginx/cskh.conf with this test's addresses, inside a main configuration whose
    every path is in the prefix directory (no root paths, pid and logs in tmp)."""
    site = (
        TEMPLATE.read_text()
        .replace("@WEB_1@", f"127.0.0.1:{web[0]}")
        .replace("@WEB_2@", f"127.0.0.1:{web[1]}")
        .replace("@LISTEN@", f"127.0.0.1:{listen}")
        .replace("@SERVER_NAME@", "127.0.0.1")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # else workers would run as nobody
    return f"""{user}worker_processes 1;
pid nginx.pid;
error_log error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log access.log;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
{site}
}}
"""


class Proc:
    """A child process with its output collected; `kill()` ends its whole process group
    (a `cskh serve` and its Granian workers, as when a machine dies)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.proc = subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines = _read_lines(self.proc)

    def wait_for(self, text: str, timeout: float = 120) -> bool:
        return _wait_for(self.lines, text, timeout)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[dict]:
    if not NGINX:
        if IN_CI:
            pytest.fail("CI=true but nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx not installed (apt-get install nginx; required under CI=true)")
    root = tmp_path_factory.mktemp("cluster")
    media = root / "shared-media"
    media.mkdir()
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CSKH_", "DATABASE_URL", "REDIS_URL"))
    }
    base.update(
        REDIS_URL=REDIS_URL,
        SECRET_KEY="several-machines-" + uuid.uuid4().hex,  # the same on every host
        CSKH_MULTI_HOST="1",
        CSKH_MEDIA_ROOT=str(media),  # the shared store (NFS here; S3 in docs/deploy.md)
        CSKH_STATIC_ROOT=dbtemplate.static_root(),  # this release's files, collected once
        CSKH_CACHE_PREFIX=f"cluster{uuid.uuid4().hex[:8]}",
        FORWARDED_ALLOW_IPS="127.0.0.1",
        WEB_CONCURRENCY="1",
        CSKH_THREADS="4",
        CSKH_SCHEDULER_TICK_SECONDS="0.5",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    if "CSKH_MODEL_CACHE_DIR" in os.environ:  # the run's fitted models (scripts/test.sh)
        base["CSKH_MODEL_CACHE_DIR"] = os.environ["CSKH_MODEL_CACHE_DIR"]
    procs: list[Proc] = []
    with contextlib.ExitStack() as stack:
        base["DATABASE_URL"] = stack.enter_context(
            dbtemplate.fresh_installation(tmp_path_factory, "cluster")
        )
        hosts = {}
        for name in ("a", "b"):
            var = root / f"var-{name}"
            var.mkdir()
            hosts[name] = {**base, "CSKH_VAR_DIR": str(var)}
        out = subprocess.run(
            [CSKH, "shell", "-c", SETUP],
            env=hosts["a"],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        data = json.loads(out.stdout.split("SETUP", 1)[1])
        ports = {"a": _free_port(), "b": _free_port()}
        try:
            web = {
                name: Proc(
                    f"web-{name}",
                    [CSKH, "serve", "--port", str(ports[name]), "--workers", "1"],
                    hosts[name],
                )
                for name in ("a", "b")
            }
            procs += web.values()
            # per host: one task worker, one notification worker, one scheduler
            schedulers = []
            for name in ("a", "b"):
                procs.append(Proc(f"worker-{name}", [CSKH, "worker"], hosts[name]))
                procs.append(Proc(f"notify-{name}", [CSKH, "notify_worker"], hosts[name]))
                schedulers.append(Proc(f"scheduler-{name}", [CSKH, "scheduler"], hosts[name]))
            procs += schedulers
            for proc in web.values():
                assert proc.wait_for("cskh: ready on", 180), "".join(proc.lines)
            nginx_dir = root / "nginx"
            (nginx_dir / "tmp").mkdir(parents=True)
            listen = _free_port()
            (nginx_dir / "nginx.conf").write_text(
                render_nginx(listen=listen, web=[ports["a"], ports["b"]])
            )
            argv = [NGINX, "-p", str(nginx_dir), "-c", "nginx.conf", "-e", "error.log"]
            check = subprocess.run([*argv, "-t"], capture_output=True, text=True)
            assert check.returncode == 0, check.stderr
            nginx = Proc("nginx", [*argv, "-g", "daemon off;"], base)
            procs.append(nginx)
            proxy = f"http://127.0.0.1:{listen}"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{proxy}/healthz", timeout=2).status_code == 200:
                        break
                time.sleep(0.1)
            yield {
                **data,
                "proxy": proxy,
                "a": f"http://127.0.0.1:{ports['a']}",
                "b": f"http://127.0.0.1:{ports['b']}",
                "web": web,
                "schedulers": schedulers,
                "env": hosts["a"],
                "hosts": hosts,
                "procs": procs,
                "nginx_dir": nginx_dir,
            }
        finally:
            for proc in reversed(procs):
                proc.stop()
            for proc in procs:
                if proc.proc.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
                    print(f"--- {proc.name} ({proc.proc.returncode})\n" + "".join(proc.lines))


def restart_web(cluster: dict, name: str) -> None:
    port = cluster[name].rsplit(":", 1)[1]
    proc = Proc(
        f"web-{name}", [CSKH, "serve", "--port", port, "--workers", "1"], cluster["hosts"][name]
    )
    cluster["procs"].append(proc)
    cluster["web"][name] = proc
    assert proc.wait_for("cskh: ready on", 180), "".join(proc.lines)


def api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def sign_in(base: str, username: str) -> httpx.Client:
    """A web session through the login form (CSRF token and all)."""
    client = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert r.status_code == 302, r.text[:500]
    return client


def test_exactly_one_scheduler_leads_and_the_standby_takes_over(cluster):
    a, b = cluster["schedulers"]
    assert a.wait_for("scheduler ", 60) and b.wait_for("scheduler ", 60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        any("leader," in line for line in a.lines + b.lines)
        and any("standby" in line for line in a.lines + b.lines)
    ):
        time.sleep(0.1)
    leaders = [p for p in (a, b) if any("leader," in line for line in p.lines)]
    standbys = [p for p in (a, b) if any("standby" in line for line in p.lines)]
    assert len(leaders) == 1 and len(standbys) == 1, "".join(a.lines + b.lines)
    leader, standby = leaders[0], standbys[0]
    assert leader is not standby
    # the leader stops (host lost): the standby takes over within a tick or two
    leader.stop()
    assert standby.wait_for("leader, running the periodic jobs", 30), "".join(standby.lines)


def test_a_browser_session_moves_between_the_web_processes(cluster, browser, csp_violations):
    ctx = browser.new_context(locale="vi-VN")
    csp_guard(ctx, csp_violations)
    try:
        page = ctx.new_page()
        page.goto(f"{cluster['a']}/accounts/login/")  # signed in on host A …
        page.fill("#id_username", "tvv01")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
        # … the same cookie on host B (cookies are per host name, not per port)
        page.goto(f"{cluster['b']}/desk/")
        page.wait_for_selector("body[data-live=connected]", timeout=20_000)
        assert "/accounts/login/" not in page.url
        # and through the proxy, which spreads requests over both
        page.goto(f"{cluster['proxy']}/desk/")
        page.wait_for_selector("body[data-live=connected]", timeout=20_000)
    finally:
        ctx.close()


def test_a_screen_pop_published_on_one_process_reaches_an_agent_on_the_other(
    cluster, browser, csp_violations
):
    ctx = browser.new_context(locale="vi-VN")
    csp_guard(ctx, csp_violations)
    try:
        page = ctx.new_page()
        page.goto(f"{cluster['b']}/accounts/login/")
        page.fill("#id_username", "tvv01")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{cluster['b']}/desk/")  # the agent's live stream is held by host B
        page.wait_for_selector("body[data-live=connected]", timeout=20_000)
        with api(cluster["a"], cluster["pbx"]) as pbx:  # the PBX talks to host A
            r = pbx.post(
                "/api/v1/telephony/events",
                json={
                    "call_id": "deploy-1",
                    "event": "ringing",
                    "from_number": "0901234567",
                    "to_number": "19009000",
                    "agent_extension": "1001",
                },
            )
            assert r.status_code == 200, r.text
        card = page.locator("#card .pop[data-mode=card]")
        card.wait_for(timeout=20_000)
        assert "Nguyễn Văn An" in card.inner_text()
    finally:
        ctx.close()


def test_a_photo_uploaded_through_one_process_is_served_by_the_other(cluster):
    with api(cluster["a"], cluster["lead"]) as lead, api(cluster["a"], cluster["staff"]) as staff:
        r = lead.post(
            "/api/v1/cases",
            json={"customer_id": cluster["customer"], "type": "outage", "description": "Mất điện"},
        )
        assert r.status_code == 201, r.text
        r = lead.post(f"/api/v1/dispatch/cases/{r.json()['number']}/dispatch", json={})
        assert r.status_code == 201, r.text
        wo = r.json()["id"]
        assert staff.post(f"/api/v1/dispatch/work-orders/{wo}/accept", json={}).status_code == 200
        r = staff.post(
            f"/api/v1/dispatch/work-orders/{wo}/complete",
            data={"resolution": "Đã thay cầu chì"},
            files={"photos": ("anh.png", PNG, "image/png")},
        )
        assert r.status_code == 200, r.text
        url = r.json()["attachments"][0]["url"]
    web_b = sign_in(cluster["b"], "dl_sg")  # another host, another var directory
    try:
        r = web_b.get(url)
        assert r.status_code == 200 and r.content == PNG
        assert r.headers["content-type"] == "image/png"
    finally:
        web_b.close()


def test_killing_a_web_process_under_load_loses_no_case(cluster):
    """Case creations and queue reads through the proxy while host A is killed (SIGKILL of
    the process group: the machine is gone). Reads are retried by nginx on host B; a POST cut
    off mid-way answers 502 and the client retries it with the same Idempotency-Key."""
    marker = f"deploy-kill-{uuid.uuid4().hex[:8]}"
    total = 60
    statuses: dict[str, list[int]] = {}
    reads: list[int] = []
    killed = threading.Event()
    done = [0]
    lock = threading.Lock()

    def create(i: int) -> None:
        key = f"{marker}-{i}"
        with api(cluster["proxy"], cluster["lead"]) as client:
            for _attempt in range(10):
                try:
                    r = client.post(
                        "/api/v1/cases",
                        json={
                            "customer_id": cluster["customer"],
                            "type": "outage",
                            "description": f"{marker} số {i}",
                        },
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TransportError:
                    statuses.setdefault(key, []).append(0)
                    time.sleep(0.2)
                    continue
                statuses.setdefault(key, []).append(r.status_code)
                if r.status_code in (502, 503, 504):
                    time.sleep(0.2)
                    continue
                break
        with lock:
            done[0] += 1

    def read_queue() -> None:
        with api(cluster["proxy"], cluster["lead"]) as client:
            while not killed.is_set() or len(reads) < 200:
                reads.append(client.get("/api/v1/cases?limit=20").status_code)
                if len(reads) >= 400:
                    break

    with ThreadPoolExecutor(max_workers=6) as pool:
        readers = [pool.submit(read_queue) for _ in range(2)]
        creators = [pool.submit(create, i) for i in range(total)]
        while done[0] < total // 3:
            time.sleep(0.02)
        cluster["web"]["a"].kill()
        killed.set()
        for f in creators + readers:
            f.result()
    answered = {key: codes[-1] for key, codes in statuses.items()}
    errors = [line for p in cluster["web"].values() for line in p.lines if "Error" in line]
    assert sorted(answered.values()) == [201] * total, (statuses, errors[-20:])
    assert set(reads) == {200}, f"reads not retried by the proxy: {sorted(set(reads))}"
    import psycopg

    with psycopg.connect(
        cluster["env"]["DATABASE_URL"].replace("postgres://", "postgresql://")
    ) as db:
        rows = db.execute(
            "SELECT description, count(*) FROM cases_case WHERE description LIKE %s "
            "GROUP BY description",
            [f"{marker} %"],
        ).fetchall()
    assert len(rows) == total and {n for _, n in rows} == {1}  # none lost, none twice
    # host A comes back (for the other tests of this module, in whatever order they run)
    restart_web(cluster, "a")
