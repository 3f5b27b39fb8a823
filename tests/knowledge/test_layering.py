"""knowledge sits below the desk (the desk shows its articles and canned answers): it must not
import the desk, nor the search app that indexes it (search reads knowledge's selectors)."""

import ast
from pathlib import Path

import cskh.knowledge

KNOWLEDGE_DIR = Path(cskh.knowledge.__file__).parent
ABOVE = ("cskh.desk", "cskh.search")


def imports_from_above(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        out += [n for n in names if any(n == a or n.startswith(a + ".") for a in ABOVE)]
    return out


def test_the_check_finds_a_function_level_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from cskh.desk.selectors import case_types\n")
    assert imports_from_above(sample) == ["cskh.desk.selectors"]


def test_knowledge_imports_neither_desk_nor_search():
    found = {
        str(p.relative_to(KNOWLEDGE_DIR)): imports_from_above(p)
        for p in sorted(KNOWLEDGE_DIR.rglob("*.py"))
    }
    assert {path: names for path, names in found.items() if names} == {}
