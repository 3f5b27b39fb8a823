"""One migrated database per test run, copied wherever a test needs a fresh installation.

`cskh migrate` on an empty database costs tens of seconds of CPU, nearly all of it Django
rendering the migration state (each CreateModel re-renders the models related to it; squashing
the migrations does not shorten it). A run needed it once per xdist worker and once more for each
installation a CLI test serves. Now the real `cskh migrate` runs once per run, in the background
from the moment pytest is configured, into a template database, and every other database is a
copy of it: PostgreSQL's `CREATE DATABASE … TEMPLATE` (documented for exactly this), SQLite's
online backup API. `python tests/dbtemplate.py DIR` builds one outside pytest.

The template is the product of the same command an operator runs, data migrations included, so
a copy is what a fresh installation holds.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

CSKH = str(Path(sys.executable).with_name("cskh"))
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_PG = DATABASE_URL.startswith("postgres")


def _pg_conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _pg_admin():
    """An autocommit connection to the database named in DATABASE_URL (never the tests')."""
    import psycopg

    return psycopg.connect(_pg_conninfo(DATABASE_URL), autocommit=True)


def _pg_name(url: str) -> str:
    """The database a PostgreSQL URL names."""
    return url.rsplit("/", 1)[1].split("?")[0]


def _non_durable(conn, name: str) -> None:
    """A commit in a test database does not wait for its WAL record to reach the disk: the
    PostgreSQL manual's "Non-Durable Settings" for throwaway data. It shortens the flush
    (TRUNCATE) after each transactional test and every commit of the served installations;
    a settings default (CREATE DATABASE … TEMPLATE does not copy it, so every copy gets it)."""
    conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


def pg_template_name() -> str:
    return f"test_{_pg_name(DATABASE_URL)}_template"


def pg_url(name: str) -> str:
    """DATABASE_URL pointing at another database on the same server."""
    head, tail = DATABASE_URL.rsplit("/", 1)
    query = tail.split("?", 1)[1] if "?" in tail else ""
    return f"{head}/{name}" + (f"?{query}" if query else "")


TEMPLATE_DIR = "CSKH_TEST_TEMPLATE_DIR"  # where the template (or its build's outcome) lives


def _migrate(url: str, var_dir: Path) -> None:
    var_dir.mkdir(exist_ok=True)
    # Without REDIS_URL the database cache's table is created too (core 0003 creates the tables
    # of the configured cache): the served installations of tests/cli run without Redis.
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=url, CSKH_VAR_DIR=str(var_dir))
    out = subprocess.run(
        [CSKH, "migrate", "-v", "0"], env=env, capture_output=True, text=True, timeout=900
    )
    if out.returncode:
        raise RuntimeError(f"cskh migrate failed:\n{out.stdout}\n{out.stderr}")


def build(directory: Path) -> None:
    """Migrate this run's template. Writes `db-template.url` when done, or
    `db-template.failed` with the reason: the workers wait for one of the two. The build
    holds `build.lock` throughout (the kernel releases it whatever way the process ends), so
    a waiter can tell a build in progress from a builder killed before it wrote either."""
    with FileLock(str(directory / "build.lock")):
        (directory / "db-template.started").touch()
        _build(directory)


def _build(directory: Path) -> None:
    try:
        if ON_PG:
            name = pg_template_name()
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
                _non_durable(conn, name)
            url = pg_url(name)
        else:
            url = f"sqlite:///{directory / 'template.sqlite3'}"
        _migrate(url, directory / "var")
    except Exception as exc:
        (directory / "db-template.failed").write_text(f"{type(exc).__name__}: {exc}")
        raise SystemExit(1) from exc
    ready = directory / "db-template.url.part"
    ready.write_text(url)
    ready.replace(directory / "db-template.url")  # appears whole or not at all


def start_build() -> subprocess.Popen | None:
    """Start building the template in the background, from the pytest process that is not an
    xdist worker, before the workers start: the migration then runs while they collect tests.
    The workers inherit the directory through the environment. Nothing starts when the
    directory is already set (scripts/test.sh builds the PostgreSQL template during the SQLite
    pass, where it fills the cores the ending pass leaves idle)."""
    if os.environ.get(TEMPLATE_DIR):
        return None
    directory = tempfile.mkdtemp(prefix="cskh-db-template-")
    os.environ[TEMPLATE_DIR] = directory
    # a session of its own, so that finish() stops the builder and its `cskh migrate` together
    return subprocess.Popen([sys.executable, __file__, directory], start_new_session=True)


def template(timeout: float = 900) -> str:
    """The DATABASE_URL of this run's migrated template, once its build is over. Fails at
    once, rather than after `timeout`, when the builder died without a word (SIGKILL, the
    out-of-memory killer)."""
    directory = Path(os.environ[TEMPLATE_DIR])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # in this order: the builder creates `started` while holding the lock and writes its
        # outcome before releasing it, so started-and-unlocked before an empty read is a death
        started = (directory / "db-template.started").exists()
        ended = started and not _building(directory)
        with contextlib.suppress(FileNotFoundError):
            return (directory / "db-template.url").read_text()
        with contextlib.suppress(FileNotFoundError):
            reason = (directory / "db-template.failed").read_text()
            raise RuntimeError(f"building the test database template failed: {reason}")
        if ended:
            raise RuntimeError(
                f"the test database template's builder in {directory} ended "
                "without a template or a reason (was it killed?)"
            )
        time.sleep(0.1)
    raise TimeoutError(f"no test database template in {directory} after {timeout:.0f} s")


def _building(directory: Path) -> bool:
    """Whether a builder holds `build.lock` (see build)."""
    lock = FileLock(str(directory / "build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def copy(target: str) -> str:
    """A fresh copy of the template: `target` is a database name on PostgreSQL, a file path on
    SQLite. Returns its DATABASE_URL (drop it with `drop`)."""
    source = template()
    # PostgreSQL refuses to copy a template while another session is connected to it
    with FileLock(str(Path(os.environ[TEMPLATE_DIR]) / "copy.lock")):
        if ON_PG:
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{pg_template_name()}"')
                _non_durable(conn, target)
            return pg_url(target)
        drop(f"sqlite:///{target}")  # with a previous run's -wal/-shm beside it
        src = sqlite3.connect(source.removeprefix("sqlite:///"))
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return f"sqlite:///{target}"


def drop(url: str) -> None:
    if url.startswith("postgres"):
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_pg_name(url)}" WITH (FORCE)')
        return
    path = url.removeprefix("sqlite:///")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


def finish(builder: subprocess.Popen | None) -> None:
    """Called once at the end of the run, by the process that is not an xdist worker: stops a
    build nobody waited for (a run without database tests), drops the template."""
    if builder is not None:
        if builder.poll() is None:
            os.killpg(builder.pid, signal.SIGTERM)
        builder.wait()
        shutil.rmtree(os.environ[TEMPLATE_DIR], ignore_errors=True)
    if ON_PG:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_template_name()}" WITH (FORCE)')


STATIC_DIR = "CSKH_TEST_STATIC_ROOT"  # the static files every served installation shares


def static_root() -> str:
    """`CSKH_STATIC_ROOT` for the installations a test serves: one directory for the whole run,
    so the first `cskh serve` collects the static files and the others find them collected
    (core/staticfiles.py), as the installations of one release on one image would."""
    return os.environ[STATIC_DIR]


def start_static_root() -> str | None:
    """Create the run's static directory, from the pytest process that is not an xdist worker
    (the workers inherit it). Returns it when this process made it, for the caller to remove at
    the end; None when it was given (scripts/test.sh shares one between its two passes)."""
    if os.environ.get(STATIC_DIR):
        return None
    os.environ[STATIC_DIR] = tempfile.mkdtemp(prefix="cskh-static-")
    return os.environ[STATIC_DIR]


@contextlib.contextmanager
def fresh_installation(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """DATABASE_URL of a migrated database of its own, for a test that starts `cskh` processes
    (they cannot see pytest's test database, and must not touch the developer's)."""
    if ON_PG:
        target = f"{pg_template_name().removesuffix('_template')}_{label}_{WORKER or 'main'}"
    else:
        target = str(tmp_path_factory.mktemp(label) / "cskh.sqlite3")
    url = copy(target)
    try:
        yield url
    finally:
        drop(url)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
