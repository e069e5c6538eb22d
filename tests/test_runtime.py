"""The local ArcadeDB runtime and `collab serve`, end to end, as a newcomer would run them."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import neo4j
import pytest

from collab_api.db.local_server import LocalArcadeDB, LocalServerError, _is_arcadedb_process, free_port
from tests.conftest import wait_ready

COLLAB = str(Path(sys.executable).with_name("collab"))


def test_local_server_lifecycle_keeps_data_and_its_password_private(tmp_path: Path) -> None:
    server = LocalArcadeDB(tmp_path / "db", bolt_port=free_port(), http_port=free_port())
    assert server.start(timeout=120) is True
    try:
        mode = stat.S_IMODE((tmp_path / "db" / "root-password").stat().st_mode)
        assert mode == 0o600
        assert server.status().running
        assert server.start(timeout=30) is False  # already running: reused, not started twice
        with neo4j.GraphDatabase.driver(server.bolt_uri, auth=server.auth) as driver:
            driver.execute_query("CREATE (:Marker {name: 'kept', email: 'someone@example.org'})", database_="neo4j")
        # the password is nowhere on the command line that any local user can read with ps
        pid = json.loads((tmp_path / "db" / "server.json").read_text())["pid"]
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert server.password not in command_line and "@" in command_line
        # the database's files and write-ahead log are readable by their owner only
        loose = [str(p) for p in (tmp_path / "db").rglob("*")
                 if stat.S_IMODE(p.stat().st_mode) & 0o077]
        assert loose == []
    finally:
        assert server.stop() is True
    assert not server.status().running
    assert server.start(timeout=120) is True
    try:
        with neo4j.GraphDatabase.driver(server.bolt_uri, auth=server.auth) as driver:
            records, _, _ = driver.execute_query("MATCH (m:Marker) RETURN m.name AS name", database_="neo4j")
        assert [r["name"] for r in records] == ["kept"]
    finally:
        server.stop()


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = LocalArcadeDB(tmp_path / "db", bolt_port=port, http_port=free_port())
        with pytest.raises(LocalServerError, match=f"port {port} .* already in use .*COLLAB_BOLT_PORT"):
            server.start(timeout=5)


def test_readiness_times_out_with_a_clear_error(tmp_path: Path) -> None:
    server = LocalArcadeDB(tmp_path / "db", bolt_port=free_port(), http_port=free_port())
    with pytest.raises(LocalServerError, match="did not answer Bolt queries .* within 0 s"):
        server.start(timeout=0.01)
    assert not server.status().running  # a failed start leaves nothing behind


def _env(data_dir: Path, bolt: int, http: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.update(COLLAB_DATA_DIR=str(data_dir), COLLAB_BOLT_PORT=str(bolt), COLLAB_ARCADEDB_HTTP_PORT=str(http),
               COLLAB_ENV="development")
    return env


def _serve(env: dict[str, str], port: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([COLLAB, "serve", "--port", str(port), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _collaboratives(port: int) -> list[dict]:
    response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ collaboratives { code icbs { name } } }"}, timeout=30)
    return response.json()["data"]["collaboratives"]


def _interrupt(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGINT)  # Ctrl-C
    return process.wait(timeout=60)


def test_serve_starts_embedded_database_seeds_serves_and_stops_cleanly(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", free_port(), free_port())
    port = free_port()
    process = _serve(env, port, "--seed")
    wait_ready(process, port)
    collaboratives = _collaboratives(port)
    assert len(collaboratives) == 15 and sum(len(c["icbs"]) for c in collaboratives) == 42
    pid = json.loads((tmp_path / "data" / "arcadedb" / "server.json").read_text())["pid"]
    assert _is_arcadedb_process(pid)
    assert _interrupt(process) == 0
    assert not _is_arcadedb_process(pid), "Ctrl-C must stop the database the app started"

    # A restart keeps the data (no --seed this time).
    process = _serve(env, port)
    wait_ready(process, port)
    assert len(_collaboratives(port)) == 15
    assert _interrupt(process) == 0


def test_db_commands_run_the_server_on_its_own(tmp_path: Path) -> None:
    env = _env(tmp_path / "data", free_port(), free_port())
    run = lambda *args: subprocess.run([COLLAB, *args], env=env, capture_output=True, text=True, timeout=180)  # noqa: E731
    assert run("db", "status").returncode == 3
    started = run("db", "start")
    assert started.returncode == 0 and "started" in started.stderr
    try:
        status = run("db", "status")
        assert status.returncode == 0 and "running" in status.stderr
        # The app reuses a server it did not start, and leaves it running on exit.
        port = free_port()
        process = _serve(env, port)
        wait_ready(process, port)
        assert _interrupt(process) == 0
        assert run("db", "status").returncode == 0
    finally:
        assert "stopped" in run("db", "stop").stderr
    assert run("db", "status").returncode == 3


def test_stopping_an_old_server_object_never_orphans_the_new_server(tmp_path: Path) -> None:
    """`collab serve` started a server; `collab db stop` and `collab db start` replaced it; when
    the serve process then stops, it must leave the new server and its state file alone."""
    ports = {"bolt_port": free_port(), "http_port": free_port()}
    serving = LocalArcadeDB(tmp_path / "db", **ports)  # the serve process's
    assert serving.start(timeout=120)
    command = LocalArcadeDB(tmp_path / "db", **ports)  # `collab db stop`, then `collab db start`
    try:
        assert command.stop() is True
        assert command.start(timeout=120) is True
        new_pid = command.status().pid
        assert serving.died()
        serving.stop()  # the serve process shutting down
        assert command.status().running and command.status().pid == new_pid
        assert (tmp_path / "db" / "server.json").exists()
        assert serving.recover(timeout=30) == "adopted"  # a watching serve process uses the new one
    finally:
        command.stop()
    assert not command.status().running


def test_what_start_up_made_is_kept_out_of_the_collectors_walk_and_later_garbage_is_still_collected() -> None:
    """`settle_memory` (called once the app has started) freezes what start-up made; a cycle made
    afterwards is still found and freed. In a child interpreter: freezing this test process would
    keep every earlier test's objects."""
    script = """
import gc
from collab_api.app import create_app, settle_memory
create_app()
settle_memory()
assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()
gc.disable()  # only the collection below, so that it finds every cycle
class Node: pass
for _ in range(1000):
    a, b = Node(), Node()
    a.other, b.other = b, a
del a, b
print(gc.collect())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLLAB_ENV": "development"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) >= 2000, "the cycles made after the freeze were collected"
