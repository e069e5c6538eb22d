"""Long work reports progress: a bar on a terminal, log lines otherwise (a log file, a
container, CI), including "starting the local database ..." while it waits. The commands are
driven as subprocesses with stderr not a terminal, as a service manager would run them."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from collab_api.db.local_server import free_port
from collab_api.progress import Steps
from collab_api.qart.layout import ADULT_PAEDS
from tests.conftest import serve_collab
from tests.qart_workbooks import site_row, workbook_bytes
from tests.test_cli import run


def test_steps_log_start_periodic_and_end_lines_off_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "collab_api.progress")
    with Steps(terminal=False, every=0) as steps, steps.step("loading things", 3) as advance:
        for _ in range(3):
            advance(1)
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "loading things: 3 rows to do"
    assert "loading things: 1 of 3 rows (33%)" in lines and "loading things: 2 of 3 rows (66%)" in lines
    assert re.fullmatch(r"loading things: done, 3 rows in \d+\.\d s", lines[-1])


def test_steps_on_a_terminal_or_quiet_write_no_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "collab_api.progress")
    for steps in (Steps(terminal=True, every=0), Steps(quiet=True)):
        with steps, steps.step("loading things", 2) as advance:
            advance(2)
    assert caplog.records == []


def test_seed_on_the_local_database_says_what_it_is_doing(tmp_path: Path) -> None:
    env = {"COLLAB_DATA_DIR": str(tmp_path), "COLLAB_BOLT_PORT": str(free_port()),
           "COLLAB_ARCADEDB_HTTP_PORT": str(free_port())}
    done = run("seed", "--no-demo", env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    log = done.stderr
    assert log.count("starting the local database in") == 1  # said once, not twice
    assert log.index("starting the local database") < log.index("loading collaboratives and ICBs: 15 rows to do")
    for step in ("collaboratives and ICBs", "adoption stages", "organisations", "trust sites", "trust mergers"):
        assert re.search(rf"loading {step}: done, \d+ rows in", log), step
    assert "seeded; nodes by label" in done.stdout + done.stderr


def test_a_quarterly_return_import_reports_its_phases(tmp_path: Path, test_server: Any, network: Any) -> None:
    workbook = tmp_path / "KSS Q2 2026-27.xlsx"
    workbook.write_bytes(workbook_bytes({ADULT_PAEDS.name: [site_row("Z43", "Z4301", {"G": "Stage 6 - Spread"})]}))
    env = {"COLLAB_DATA_DIR": str(tmp_path), "NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0],
           "NEO4J_PASSWORD": test_server.auth[1], "NEO4J_DATABASE": network.database}
    done = run("qart", "import", str(workbook), "--quarter", "2026/27 Q2", "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert "reading KSS Q2 2026-27.xlsx: 1 workbook to do" in done.stderr
    assert re.search(r"reading KSS Q2 2026-27\.xlsx: done, 1 workbook in", done.stderr)
    assert re.search(r"writing adoption observations: done, 1 observations in", done.stderr), done.stderr


def test_serve_with_seed_reports_each_step(test_server: Any, graph: Any, tmp_path: Path) -> None:
    output: list[str] = []
    with serve_collab(test_server, graph.database, tmp_path, "--seed", output=output):
        pass
    log = output[0]
    for step in ("collaboratives and ICBs", "organisations", "interventions", "adoption history"):
        assert re.search(rf"loading {step}: done, \d+ rows in", log), log[-2000:]
    assert log.index("loading adoption history: done") < log.index("ready: database")
