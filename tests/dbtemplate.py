"""One migrated database per test run, copied wherever a test needs a fresh installation.

`cskh migrate` on an empty database costs tens of seconds of CPU, nearly all of it Django
rendering the migration state (each CreateModel re-renders the models related to it; squashing
the migrations does not shorten it). A run needed it once per xdist worker and once more for each
installation a CLI test serves. Now the first worker to get here runs the real `cskh migrate`
once into a template database and every other database is a copy of it: PostgreSQL's
`CREATE DATABASE … TEMPLATE` (documented for exactly this), SQLite's online backup API.

The template is the product of the same command an operator runs, data migrations included, so
a copy is what a fresh installation holds.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
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


def pg_template_name() -> str:
    return f"test_{_pg_name(DATABASE_URL)}_template"


def pg_url(name: str) -> str:
    """DATABASE_URL pointing at another database on the same server."""
    head, tail = DATABASE_URL.rsplit("/", 1)
    query = tail.split("?", 1)[1] if "?" in tail else ""
    return f"{head}/{name}" + (f"?{query}" if query else "")


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every xdist worker of this run sees (pytest-xdist's documented recipe)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if WORKER else base


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


def template(tmp_path_factory: pytest.TempPathFactory, *, wait: bool = True) -> str | None:
    """The DATABASE_URL of this run's migrated template, built by whichever worker comes first.

    With wait=False, None while another worker is building it: a worker setting up its own
    test database then migrates it itself rather than sit idle (the two builds share the cores,
    and later installations copy the template)."""
    shared = _shared_dir(tmp_path_factory)
    built = shared / "db-template.url"
    if built.exists():
        return built.read_text()
    try:
        held = lock(tmp_path_factory).acquire(timeout=-1 if wait else 0)
    except Timeout:
        return None
    with held:
        if built.exists():
            return built.read_text()
        if ON_PG:
            name = pg_template_name()
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            url = pg_url(name)
        else:
            url = f"sqlite:///{shared / 'template.sqlite3'}"
        _migrate(url, shared / "template-var")
        built.write_text(url)
        return url


def lock(tmp_path_factory: pytest.TempPathFactory) -> FileLock:
    """Held while the template is built or copied: PostgreSQL refuses to copy a template while
    another session is connected to it."""
    return FileLock(str(_shared_dir(tmp_path_factory) / "db-template.lock"))


def copy(tmp_path_factory: pytest.TempPathFactory, target: str, *, wait: bool = True) -> str | None:
    """A fresh copy of the template: `target` is a database name on PostgreSQL, a file path on
    SQLite. Returns its DATABASE_URL (drop it with `drop`), or None when wait=False and the
    template is still being built."""
    source = template(tmp_path_factory, wait=wait)
    if source is None:
        return None
    with lock(tmp_path_factory):
        if ON_PG:
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{pg_template_name()}"')
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


def drop_template() -> None:
    """Called once at the end of the run, by the process that is not an xdist worker."""
    if ON_PG:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_template_name()}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_installation(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """DATABASE_URL of a migrated database of its own, for a test that starts `cskh` processes
    (they cannot see pytest's test database, and must not touch the developer's)."""
    if ON_PG:
        target = f"{pg_template_name().removesuffix('_template')}_{label}_{WORKER or 'main'}"
    else:
        target = str(tmp_path_factory.mktemp(label) / "cskh.sqlite3")
    url = copy(tmp_path_factory, target)
    assert url is not None
    try:
        yield url
    finally:
        drop(url)
