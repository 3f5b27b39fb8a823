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
