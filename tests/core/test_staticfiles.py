"""`cskh serve` collects static files at start: once per set of sources, not at every restart."""

import os
import threading

import pytest
from django.test import override_settings

from cskh.core.staticfiles import STAMP, collect_if_changed

pytestmark = pytest.mark.db_agnostic  # files on disk only


@pytest.fixture
def static(tmp_path):
    """A source directory with a stylesheet, collected into a STATIC_ROOT of its own (the file
    finder only: the installed apps' files would make each collection take seconds)."""
    src, root = tmp_path / "src", tmp_path / "root"
    src.mkdir()
    (src / "app.css").write_text("body { color: #123456; }\n" * 200)
    with override_settings(
        STATIC_ROOT=str(root),
        STATICFILES_DIRS=[str(src)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        yield src, root


def test_collects_compresses_then_skips_until_a_source_changes(static):
    src, root = static
    assert collect_if_changed() is True
    assert (root / "app.css").read_text().startswith("body { color: #123456; }")
    assert (root / "app.css.gz").exists() and (root / STAMP).exists()

    (root / "app.css.gz").unlink()  # a second run would compress it again
    assert collect_if_changed() is False
    assert not (root / "app.css.gz").exists()

    (src / "app.css").write_text("body { color: #abcdef; }\n" * 200)
    stat = (src / "app.css").stat()
    os.utime(src / "app.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert collect_if_changed() is True
    assert "#abcdef" in (root / "app.css").read_text()
    assert (root / "app.css.gz").exists()

    (src / "new.js").write_text("console.log('mới');\n")
    assert collect_if_changed() is True
    assert (root / "new.js").exists()


def test_a_changed_setting_collects_again(static, settings):
    collect_if_changed()
    settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["css"]
    assert collect_if_changed() is True


def test_processes_starting_together_collect_once(static):
    """Two starts at once on one STATIC_ROOT: one collects, the other waits and finds it done."""
    results: list[bool] = []
    starts = [threading.Thread(target=lambda: results.append(collect_if_changed())) for _ in "ab"]
    for t in starts:
        t.start()
    for t in starts:
        t.join(30)
    assert sorted(results) == [False, True]
