"""The `collab` command explains itself and refuses wrong values before any work, each as a
clear line and exit code 2 (driven as a subprocess, as a person would)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

COLLAB = str(Path(sys.executable).parent / "collab")


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COLLAB, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {}), "COLUMNS": "200"})


def test_version_and_help_name_the_values_and_the_environment() -> None:
    done = run("--version")
    assert done.returncode == 0 and done.stdout.startswith("collab ")
    top = run("--help").stdout
    for variable in ("COLLAB_ENV", "COLLAB_DATA_DIR", "COLLAB_BOLT_PORT", "COLLAB_ARCADEDB_HTTP_PORT", "NEO4J_URI"):
        assert variable in top
    spread = run("report", "spread", "--help").stdout
    assert "ADULT_INPATIENT" in spread and "NEONATAL" in spread and "roll-out phase" in spread
    assert "the port to listen on" in run("serve", "--help").stdout
    assert "say whether it runs" in run("db", "--help").stdout
    assert "the .xlsx file to write" in run("qart", "export", "--help").stdout


def test_every_option_of_every_command_has_help() -> None:
    import argparse

    from collab_api.cli import build_parser

    missing = []

    def visit(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    visit(child, f"{path} {name}")
            elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)) and not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    visit(build_parser(), "collab")
    assert missing == []


@pytest.mark.parametrize("args,says", [
    (["report", "spread", "--intervention", "marthas-rule", "--out", "x.html", "--care-setting", "adult"],
     "'adult' is not a care setting; choose one of ACUTE"),
    (["report", "spread", "--intervention", "marthas-rule", "--out", "x.html", "--phase", "0"], "0 is not allowed"),
    (["report", "spread", "--intervention", "marthas-rule", "--out", "x.html", "--quarter", "Q5"], "is not a reporting quarter"),
    (["token", "--role", "NATIONAL", "--minutes", "-5"], "-5 is not allowed: give 1 or more"),
    (["token", "--role", "boss"], "'boss' is not a role; choose one of NATIONAL, LEAD, PROVIDER"),
])
def test_wrong_values_are_refused_before_any_work(args: list[str], says: str, tmp_path: Path) -> None:
    done = run(*args, env={"COLLAB_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2 and says in done.stderr
    assert not (tmp_path / "arcadedb").exists()  # refused before any database was started
    assert "starting the local database" not in done.stderr


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    done = run("qart", "import", str(tmp_path / "missing.xlsx"), env={"COLLAB_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"cannot read {tmp_path / 'missing.xlsx'}: no such file"]


def test_tokens_for_unknown_collaboratives_or_organisations_are_refused(tmp_path: Path, test_server: Any, network: Any) -> None:
    env = {"COLLAB_DATA_DIR": str(tmp_path), "NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0],
           "NEO4J_PASSWORD": test_server.auth[1], "NEO4J_DATABASE": network.database}
    lead = run("token", "--role", "LEAD", "--collaborative", "NOPE", env=env)
    assert lead.returncode == 2 and "no collaborative has the code 'NOPE'" in lead.stderr and "KSS" in lead.stderr
    provider = run("token", "--role", "PROVIDER", "--organisation", "NOPE1", env=env)
    assert provider.returncode == 2 and "no organisation has the ODS code 'NOPE1'" in provider.stderr
    good = run("token", "--role", "provider", "--organisation", "z43", env=env)
    assert good.returncode == 0 and good.stdout.count(".") == 2


def test_serve_checks_its_port_before_saying_it_serves(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = run("serve", "--port", str(port), env={"COLLAB_DATA_DIR": str(tmp_path), "COLLAB_SESSION_SECRET": "s" * 48})
    assert done.returncode == 2
    assert not (tmp_path / "arcadedb").exists()  # refused before starting the database
    assert "serving" not in done.stderr and f"cannot serve on 127.0.0.1:{port}" in done.stderr
