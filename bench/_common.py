"""Shared helpers for benchmarks: Django setup, a live `cskh serve`, percentiles."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class Skip(Exception):
    """Raised by a benchmark that cannot run here (missing database, data set, ...)."""


def django_setup(database_url: str | None = None) -> None:
    """Configure Django for in-process (service-layer) benchmarks."""
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cskh.settings")
    import django

    django.setup()


def pg_available(database_url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            database_url.replace("postgres://", "postgresql://"), connect_timeout=3
        ):
            return True
    except psycopg.Error:
        return False


def require_pg(database_url: str, min_customers: int = 0) -> None:
    if not pg_available(database_url):
        raise Skip(f"PostgreSQL not reachable at {database_url}")
    if min_customers:
        import psycopg

        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
            try:
                n = conn.execute("select count(*) from customers_customer").fetchone()[0]
            except psycopg.Error:
                n = 0
        if n < min_customers:
            raise Skip(
                f"needs {min_customers:,} customers in {database_url} (has {n:,}); build with "
                f"DATABASE_URL={database_url} cskh demo --customers {min_customers}"
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(
    env: dict[str, str] | None = None,
    workers: int = 2,
    log: Path | None = None,
    start_timeout: float = 240,
) -> Iterator[str]:
    """Run the production server (`cskh serve`) and yield its base URL; `log` keeps its output."""
    port = free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "cskh"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers)],
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("cskh serve did not start")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def ms(values: list[float]) -> tuple[str, str]:
    """(median, p95) of durations in seconds, formatted in milliseconds."""
    return f"{statistics.median(values) * 1000:.2f} ms", f"{pct(values, 95) * 1000:.2f} ms"


def redis_url() -> str:
    """Redis for benchmark servers (BENCH_REDIS_URL, default db 3 on localhost) or ""."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return url
    except Exception:
        return ""


_WRK_GET = """
local cookies = {%(cookies)s}
local n = #cookies
local threads = {}
setup = function(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end
init = function(args)
  k = first * 7919
end
request = function()
  k = k + 1
  return wrk.format("GET", "%(path)s", {["Cookie"] = cookies[(k %% n) + 1]})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.duration, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_get(
    base: str, path: str, cookies: list[str], *, seconds: float, clients: int, threads: int = 1
) -> dict[str, float]:
    """GET ``path`` as fast as ``clients`` keep-alive connections of wrk (Debian package `wrk`,
    C: a few percent of one core) allow, each request with the next of ``cookies`` (Cookie
    header values). {"rps", "requests", "errors" (connect/read/timeouts and HTTP ≥ 400),
    "p50", "p95", "p99" (seconds), "seconds"}. Raises Skip when wrk is not installed."""
    import shutil

    wrk = shutil.which("wrk")
    if wrk is None:
        raise Skip("wrk is not installed (apt-get install wrk)")
    lua = _WRK_GET % {
        "cookies": ",".join("[==[" + c + "]==]" for c in cookies),
        "path": path,
    }
    micros, requests, errors, p50, p95, p99 = run_wrk(
        wrk,
        [f"-t{threads}", f"-c{clients}", f"-d{seconds:.0f}s", base],
        lua,
        seconds=seconds,
    )
    return {
        "rps": requests / (micros / 1e6),
        "requests": requests,
        "errors": errors,
        "p50": p50 / 1e6,
        "p95": p95 / 1e6,
        "p99": p99 / 1e6,
        "seconds": micros / 1e6,
    }


def run_wrk(wrk: str, args: list[str], lua: str, *, seconds: float) -> list[int]:
    """Run wrk with this Lua script (whose done() prints a line "RESULT n n …") and the
    arguments; the integers of that line. Raises RuntimeError when wrk fails."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    try:
        proc = subprocess.run(
            [wrk, "--timeout", "10s", "-s", f.name, *args],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(f.name)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout[-500:]} {proc.stderr}")
    return [int(v) for v in line.split()[1:]]
