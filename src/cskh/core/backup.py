"""`cskh backup` / `cskh restore`: a consistent copy of the database and its restore.

SQLite: the sqlite3 online backup API (a consistent copy while the app runs; WAL included).
PostgreSQL: ``pg_dump --format=custom``; restore empties the ``public`` schema and runs
``pg_restore --single-transaction`` (Debian's
postgresql-client, the same major version as the server or newer). Restore replaces the
database the settings point at: stop `cskh serve` and the workers first.

``snapshot()`` (row count and a SHA-256 of every model table's rows in primary-key order) is
what the restore drill compares: the same data gives the same snapshot on either database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.db import connection


def _pg_args() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--host", s["HOST"] or "127.0.0.1", "--port", str(s["PORT"] or 5432)]
    if s["USER"]:
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def backup(path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_args()
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--file",
                str(path),
                *args,
                connection.settings_dict["NAME"],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    else:
        raise NotImplementedError(connection.vendor)
    return path


def restore(path: Path) -> None:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        # an empty schema, then the dump: `pg_restore --clean` cannot drop the constraints of
        # the search table's partitions one by one
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public")
        connection.close()  # no session of ours holds a lock on what is restored
        args, env = _pg_args()
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                *args,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(f"pg_restore failed: {result.stderr[-2000:]}")
    else:
        raise NotImplementedError(connection.vendor)


def snapshot() -> dict[str, tuple[int, str]]:
    """Per model table: (rows, SHA-256 of the rows in primary-key order)."""
    out: dict[str, tuple[int, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        digest = hashlib.sha256()
        rows = 0
        for values in model._base_manager.order_by("pk").values_list().iterator(chunk_size=2000):
            digest.update(repr(tuple(_plain(v) for v in values)).encode())
            rows += 1
        out[meta.db_table] = (rows, digest.hexdigest())
    return out


def _plain(value: object) -> object:
    if isinstance(value, memoryview):
        return bytes(value)
    return str(value) if not isinstance(value, (int, str, bytes, type(None), bool)) else value
