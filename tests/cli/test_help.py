"""`cskh --help` names every command the README's command table names."""

import re
from pathlib import Path

from cskh import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> set[str]:
    text = README.read_text()
    table = text[text.index("## The `cskh` command") : text.index("## Configuration")]
    names: set[str] = set()
    for line in table.splitlines():
        if line.startswith("| `cskh "):
            first = line.split("|")[1]
            names.update(re.findall(r"`cskh ([a-z_]+)", first))
    return names


def test_help_lists_every_command_of_the_readme(capsys):
    cli.main(["--help"])
    shown = set(re.findall(r"^\s+cskh ([a-z_]+)", capsys.readouterr().out, re.M))
    shown |= set(re.findall(r"\| ([a-z_]+)", cli.USAGE))  # "cskh sla_scan | sla_backfill"
    names = readme_commands()
    assert {"scheduler", "notify_worker", "incidents_tick", "search_rebuild"} <= names
    assert names <= shown, names - shown
