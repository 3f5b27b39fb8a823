"""The search app reads other apps only through their public names (no underscore helper of
knowledge, cases, customers… crossing the app boundary)."""

import ast
from pathlib import Path

import cskh.search

SEARCH_DIR = Path(cskh.search.__file__).parent


def private_cross_app_imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        parts = node.module.split(".")
        if parts[0] != "cskh" or len(parts) < 2 or parts[1] == "search":
            continue
        if any(p.startswith("_") for p in parts[2:]):
            out.append(node.module)
        out += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    return out


def test_the_check_finds_a_private_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from cskh.knowledge.selectors import _live_versions, ok\n")
    assert private_cross_app_imports(sample) == ["cskh.knowledge.selectors._live_versions"]


def test_search_imports_no_private_name_of_another_app():
    found = {
        str(p.relative_to(SEARCH_DIR)): private_cross_app_imports(p)
        for p in sorted(SEARCH_DIR.rglob("*.py"))
    }
    assert {path: names for path, names in found.items() if names} == {}
