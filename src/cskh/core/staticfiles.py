"""Static files for `cskh serve`: collected at every start, unless STATIC_ROOT already holds a
collection of these very sources.

Django's `collectstatic` copies only the files that changed, but WhiteNoise's storage compresses
every file again (gzip and brotli) on each run: seconds of CPU at every restart for nothing. A
stamp in STATIC_ROOT records what was collected (each source file's path, size and mtime, the
storage settings, the library versions); a start that finds the same stamp skips the run.
Processes starting at once on one STATIC_ROOT take turns (an exclusive lock on a file in it), so
a second one finds the first one's stamp instead of compressing into the same files."""

from __future__ import annotations

import fcntl
import hashlib
import os
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

# django-ninja ships ReDoc beside the Swagger UI the API docs use: left out, it is a third fewer
# bytes to copy and compress.
IGNORE_PATTERNS = ["redoc.*"]
STAMP = ".cskh-collected"
LOCK = ".cskh-collect.lock"


def fingerprint() -> str:
    """What a collection depends on: every source file the finders list (path, size, mtime), the
    storage and compression settings, and the versions of Django and WhiteNoise."""
    digest = hashlib.sha256()
    digest.update(
        repr(
            (
                settings.STORAGES["staticfiles"],
                getattr(settings, "WHITENOISE_SKIP_COMPRESS_EXTENSIONS", None),
                IGNORE_PATTERNS,
                version("django"),
                version("whitenoise"),
            )
        ).encode()
    )
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(IGNORE_PATTERNS):
            stat = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            entries.append((prefix, path, stat.st_size, stat.st_mtime_ns))
    for entry in sorted(entries):
        digest.update(repr(entry).encode())
    return digest.hexdigest()


def collect_if_changed() -> bool:
    """Run `collectstatic` unless STATIC_ROOT holds a collection of the same sources. Returns
    whether it ran."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / STAMP
    with open(root / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        wanted = fingerprint()
        if stamp.exists() and stamp.read_text() == wanted:
            return False
        stamp.unlink(missing_ok=True)  # a run cut short leaves no stamp behind
        # a copy: collectstatic appends its default patterns to the list it is given
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=list(IGNORE_PATTERNS)
        )
        stamp.write_text(wanted)
        return True
