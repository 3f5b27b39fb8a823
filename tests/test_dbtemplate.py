"""tests/dbtemplate.py: the workers wait for the template while its builder lives, and learn at
once, not after the 900-second wait, that a builder was killed before it wrote an outcome."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import dbtemplate

# the builder here migrates a SQLite file of its own, whatever the pass's database
pytestmark = pytest.mark.db_agnostic


def test_a_live_builder_is_waited_for_and_a_killed_one_reported_at_once(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    builder = subprocess.Popen(
        [sys.executable, str(Path(dbtemplate.__file__)), str(tmp_path)],
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "db-template.started").exists():
            assert builder.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        monkeypatch.setenv(dbtemplate.TEMPLATE_DIR, str(tmp_path))
        with pytest.raises(TimeoutError):  # migrating: keep waiting
            dbtemplate.template(timeout=1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(builder.pid, signal.SIGKILL)  # the builder and its `cskh migrate`
        builder.wait()
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="without a template or a reason"):
        dbtemplate.template(timeout=120)
    assert time.monotonic() - started < 5
