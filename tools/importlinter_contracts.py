"""Import-linter contract types of our own (registered in .importlinter).

``private_names``: a module of one app never imports an underscore name, or an underscore
module, of another app. Apps talk through each other's public services and selectors; what is
private may change without notice. Layers are checked by import-linter's own ``layers`` type.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class PrivateNamesContract(Contract):
    """Apps of ``root`` import no private (underscore) name or module of another app."""

    root = fields.StringField()

    def check(self, graph, verbose: bool) -> ContractCheck:
        root = str(self.root)
        spec = importlib.util.find_spec(root)  # imports nothing below the root package
        assert spec is not None and spec.submodule_search_locations
        base = Path(list(spec.submodule_search_locations)[0])
        violations: list[str] = []
        for importer in sorted(graph.modules):
            if not importer.startswith(root + ".") or ".migrations." in importer:
                continue
            path = base.joinpath(*importer.split(".")[1:])
            path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
            if not path.is_file():
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or not node.module:
                    continue
                target = node.module
                if not target.startswith(root + ".") or _app(target) == _app(importer):
                    continue
                private = [p for p in target.split(".") if _private(p)]
                private += [a.name for a in node.names if _private(a.name)]
                if private:
                    violations.append(
                        f"{importer}:{node.lineno} imports {', '.join(private)} from {target}"
                    )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["violations"]:
            output.print_error(f"- {line}")
