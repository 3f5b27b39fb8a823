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


def test_readme_command_lines_work_as_written_after_make_run():
    """`make run` puts cskh in .venv/bin, not on PATH: every shell line of the README calls it
    there, and the token line cannot leave TOKEN empty silently (#21)."""
    text = README.read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    bare = [line for line in lines if re.search(r"(^|[\s($])cskh ", line)]
    assert bare == []
    token = [line for line in lines if "token create" in line]
    assert token and all("--quiet" in line and "&&" in line for line in token)


def test_token_create_quiet_prints_only_the_token(db, center):
    from io import StringIO

    from django.core.management import call_command

    from cskh.org.models import ApiToken
    from cskh.org.services import authenticate_token, create_user

    create_user(username="admin2", role="admin", unit=center)
    out = StringIO()
    call_command("token", "create", "--user", "admin2", "--quiet", stdout=out)
    raw = out.getvalue().strip()
    assert " " not in raw and authenticate_token(raw).username == "admin2"
    assert ApiToken.objects.count() == 1


def test_help_lists_every_management_command_of_the_project(capsys):
    from django.core.management import get_commands

    cli.main(["--help"])
    out = capsys.readouterr().out
    ours = {n for n, app in get_commands().items() if app.startswith("cskh.")} - {"db_worker"}
    missing = {n for n in ours if f"cskh {n}" not in out and f"| {n}" not in out}
    assert missing == set()
