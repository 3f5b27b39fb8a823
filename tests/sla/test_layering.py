"""The sla app sits above cases: it computes due times and writes them through cases' public
services, reached from cases only through settings.CSKH_HOOKS. cases must never import sla
(also not inside a function, where an import hides a cycle)."""

import ast
from pathlib import Path

import cskh.cases

CASES_DIR = Path(cskh.cases.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module an `import` / `from … import` in the file names (at any depth)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_helper_sees_imports_at_any_depth(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "def f():\n"
        "    from cskh.sla.services import compute_due\n"
        "    from cskh import sla\n"
    )
    names = imported_modules(sample)
    assert {"os", "cskh.sla.services", "cskh.sla"} <= names


def test_cases_never_imports_sla():
    files = sorted(CASES_DIR.rglob("*.py"))
    assert any(p.name == "services.py" for p in files)
    offenders = {
        str(path.relative_to(CASES_DIR)): sorted(
            m for m in imported_modules(path) if m == "cskh.sla" or m.startswith("cskh.sla.")
        )
        for path in files
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}
