"""What every process pays when it starts Django: each `cskh` command, web, task and outbox
worker, the scheduler."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# the imports a process makes at start, whatever the database
pytestmark = pytest.mark.db_agnostic

PROBE = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("check")  # the system checks import every app's services and the URLconf
print(sorted({name.split(".")[0] for name in sys.modules} & {"sklearn", "pandas", "scipy", "datasketch"}))
"""


def test_starting_django_imports_no_model_library():
    """scikit-learn is imported where a model is fitted or scored (textintel, social, cx):
    importing it with the services cost every process over a second of CPU. SciPy likewise
    (sparse matrices, and datasketch's import of its LSH module, which brings SciPy's
    integrate and optimize)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env | {"DJANGO_SETTINGS_MODULE": "cskh.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
