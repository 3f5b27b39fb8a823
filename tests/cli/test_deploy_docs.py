"""docs/deploy.md stays true: it names every environment variable the code reads, and the
nginx configuration it shows is the file the several-machines test runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "deploy.md").read_text()
READS = re.compile(
    r"""os\.environ(?:\.get|\.setdefault)?\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
    r"""|_env_bool\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "cskh").rglob("*.py"):
        for match in READS.finditer(path.read_text()):
            names.add(next(g for g in match.groups() if g))
    return names


def test_the_guide_names_every_environment_variable_the_code_reads():
    names = variables_read()
    assert {"DATABASE_URL", "FORWARDED_ALLOW_IPS", "CSKH_MEDIA_BACKEND"} <= names  # the scan works
    missing = sorted(n for n in names if f"`{n}`" not in GUIDE)
    assert not missing, f"docs/deploy.md does not document: {missing}"


def test_the_guide_shows_the_nginx_file_the_test_runs():
    blocks = re.findall(r"```nginx\n(.*?)```", GUIDE, flags=re.S)
    assert blocks == [(ROOT / "deploy" / "nginx" / "cskh.conf").read_text()]
