"""The console command as an operator uses it: real processes, real HTTP."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CSKH = str(Path(sys.executable).with_name("cskh"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(CSKH_VAR_DIR=str(var))
    subprocess.run([CSKH, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    out = subprocess.run(
        [
            CSKH,
            "shell",
            "-c",
            "from cskh.org.services import create_user;"
            "create_user(username='admin', password='Matkhau!2026', role='admin');"
            "from cskh.catalog.services import install_profile;"
            "install_profile('electricity')",
        ],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0
    port = _free_port()
    proc = subprocess.Popen(
        [CSKH, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("cskh serve did not come up: " + (proc.stdout.read() if proc.stdout else ""))
    yield {"base": base, "proc": proc, "env": env}
    if proc.poll() is None:
        proc.terminate()  # SIGKILL would orphan the worker processes
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serve_answers_pages_static_and_api(served):
    base = served["base"]
    r = httpx.get(f"{base}/accounts/login/")
    assert r.status_code == 200 and "Đăng nhập" in r.text
    r = httpx.get(f"{base}/static/cskh/app.css")
    assert r.status_code == 200 and "--accent" in r.text
    r = httpx.get(f"{base}/", follow_redirects=False)
    assert r.status_code == 302 and "/accounts/login/" in r.headers["location"]
    r = httpx.get(f"{base}/api/v1/cases")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def _token(served) -> str:
    out = subprocess.run(
        [CSKH, "token", "create", "--user", "admin"],
        env=served["env"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return out.split()[-1]


def test_token_create_prints_token_as_last_word(served):
    token = _token(served)  # the last word of the command's output
    r = httpx.get(f"{served['base']}/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}
    bad = subprocess.run(
        [CSKH, "token", "create", "--user", "ghost"],
        env=served["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "ghost" in bad.stderr


def test_requests_whole_and_streamed_both_ways(served):
    """cskh.wsgi_bridge: a small request is read whole and answered whole, a chunked one gets
    its length, one above 1 MiB streams in, and a file response streams out."""
    auth = {"Authorization": f"Bearer {_token(served)}"}
    with httpx.Client(base_url=served["base"], headers=auth, timeout=30) as client:
        payload = {"full_name": "Nguyễn Văn Cầu", "phones": ["0903 111 222"]}
        made = client.post("/api/v1/customers", json=payload)
        assert made.status_code == 201, made.text
        got = client.get(f"/api/v1/customers/{made.json()['id']}")
        assert got.status_code == 200 and got.json()["full_name"] == "Nguyễn Văn Cầu"

        body = json.dumps({"full_name": "Trần Thị Bé", "phones": ["0903 111 333"]}).encode()
        chunked = client.post(
            "/api/v1/customers",
            content=iter([body[:10], body[10:]]),  # no Content-Length: Transfer-Encoding
            headers={"Content-Type": "application/json"},
        )
        assert chunked.request.headers.get("transfer-encoding") == "chunked"
        assert chunked.status_code == 201 and chunked.json()["full_name"] == "Trần Thị Bé"

        big = {"full_name": "Lê Văn Dài", "phones": ["0903 111 444"], "address": "x" * 1_500_000}
        too_big = client.post("/api/v1/customers", json=big)  # above 1 MiB: streamed in
        assert 400 <= too_big.status_code < 500 and too_big.json()["detail"]
        raw = json.dumps(big).encode()
        big_chunked = client.post(  # above 1 MiB without a length: refused, 411
            "/api/v1/customers",
            content=iter([raw[i : i + 65536] for i in range(0, len(raw), 65536)]),
            headers={"Content-Type": "application/json"},
        )
        assert big_chunked.status_code == 411 and "Content-Length" in big_chunked.text
        names = client.get("/api/v1/customers", params={"q": "Lê Văn Dài"}).json()["items"]
        assert names == []  # the rejected customer was not stored

    static = Path(__file__).resolve().parents[2] / "src/cskh/static/vendor/htmx.min.js"
    r = httpx.get(f"{served['base']}/static/vendor/htmx.min.js")
    assert r.status_code == 200 and r.content == static.read_bytes()  # several chunks
    head = httpx.head(f"{served['base']}/accounts/login/")
    assert head.status_code == 200 and head.content == b""


def test_live_stream_is_served_async_next_to_plain_pages(served):
    """/desk/live goes to Django's ASGI handler (a held-open stream), every other path to the
    WSGI handler on a thread pool (cskh.asgi): both work in the same server."""
    base = served["base"]
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/accounts/login/")
        client.post(
            "/accounts/login/",
            data={
                "username": "admin",
                "password": "Matkhau!2026",
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/accounts/login/"},
        )
        assert page.status_code == 200 and "sessionid" in client.cookies
        with client.stream("GET", "/desk/live") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            received = ""
            for chunk in stream.iter_text():
                received += chunk
                if "event: ready" in received:
                    break
        assert received.startswith("retry: 1000") and "event: ready" in received
        # while streams are open elsewhere, a plain page still answers
        assert client.get("/api/v1/cases").status_code == 200
    anonymous = httpx.get(f"{base}/desk/live", timeout=10)
    assert anonymous.status_code in (302, 401)


def _listening_sockets(port: int) -> int:
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                count += 1
    return count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")
def test_each_worker_listens_on_its_own_socket(served):
    """SO_REUSEPORT: the kernel spreads new connections over the workers (uvicorn's shared
    socket let one worker take most keep-alive connections)."""
    port = int(served["base"].rsplit(":", 1)[1])
    assert _listening_sockets(port) == 2
    with httpx.Client(base_url=served["base"]) as client:  # still one address to clients
        assert all(client.get("/healthz").status_code == 200 for _ in range(5))
    # SO_REUSEPORT must not let a second server share the address silently
    second = subprocess.run(
        [CSKH, "serve", "--port", str(port), "--workers", "2", "--no-collectstatic"],
        env=served["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode != 0 and "already in use" in second.stdout + second.stderr
    assert _listening_sockets(port) == 2


def test_serve_runs_several_workers_and_stops_gracefully(served):
    proc = served["proc"]
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    assert len(children.stdout.split()) >= 2  # two worker processes under the supervisor
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
