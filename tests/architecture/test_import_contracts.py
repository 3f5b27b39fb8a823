"""The import contracts in .importlinter hold, and the private-names contract can fail."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(config: Path, *, cwd: Path, pythonpath: list[Path]) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(str(p) for p in pythonpath)}
    return subprocess.run(
        [str(LINT), "--no-cache", str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_project_keeps_its_import_contracts():
    r = _lint(ROOT / ".importlinter", cwd=ROOT, pythonpath=[ROOT / "src", ROOT / "tools"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


def test_a_private_name_imported_across_apps_breaks_the_contract(tmp_path):
    pkg = tmp_path / "shop"
    for app in ("orders", "billing"):
        (pkg / app).mkdir(parents=True)
        (pkg / app / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "billing" / "services.py").write_text("def _total():\n    return 1\n")
    (pkg / "orders" / "own.py").write_text("def _mine():\n    return 2\n")
    (pkg / "orders" / "services.py").write_text(
        "from shop.billing.services import _total\nfrom shop.orders.own import _mine\n"
    )
    config = tmp_path / ".importlinter"
    config.write_text(
        textwrap.dedent(
            """
            [importlinter]
            root_package = shop
            contract_types =
                private_names: importlinter_contracts.PrivateNamesContract

            [importlinter:contract:private]
            name = private
            type = private_names
            root = shop
            """
        )
    )
    r = _lint(config, cwd=tmp_path, pythonpath=[tmp_path, ROOT / "tools"])
    assert r.returncode == 1, r.stdout + r.stderr
    assert "shop.orders.services:1 imports _total from shop.billing.services" in r.stdout
    assert "_mine" not in r.stdout  # a module's own app may use its private names
