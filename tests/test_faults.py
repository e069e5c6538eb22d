"""Faults answered for what they are: a full disk is a 503 (and /readyz says not ready) rather
than 200 with INTERNAL; a time-out is a 503 on the pages too; a data folder that cannot be
written is one clear line, no traceback; Ctrl-C while a command starts the local database
stops what it started; `collab db stop` says what really happens while `collab serve` keeps
the database running. Each waits for events (a file, a process, an answer), never for time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest

from collab_api.db.local_server import LocalArcadeDB, free_port

COLLAB = str(Path(sys.executable).parent / "collab")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB file system of its own (tmpfs), to fill up."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode()[:200]}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


async def test_a_full_disk_is_503_never_internal_and_not_ready(small_disk: Path, test_server: Any) -> None:
    from collab_api.app import create_app
    from collab_api.db.graph import Graph
    from collab_api.db.runtime import Connection
    from collab_api.graph.schema_ops import apply_schema
    from graph_seed.load import load_all

    server = LocalArcadeDB(small_disk / "arcadedb", bolt_port=free_port(), http_port=free_port(), heap="512m")
    server.start(timeout=120)
    driver = neo4j.AsyncGraphDatabase.driver(server.bolt_uri, auth=server.auth, max_transaction_retry_time=0)
    graph = Graph(driver, "neo4j")
    try:
        await apply_schema(Connection(graph, server.http(), "arcadedb"))
        await load_all(graph, with_demo=False, show_progress=False)
        settings = test_server.settings("neo4j", neo4j_uri=server.bolt_uri, neo4j_password=server.auth[1],
                                        data_dir=small_disk / "data")
        app = create_app(settings, graph=graph)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            blob = "x" * 500_000
            for _ in range(200):  # until the disk refuses a commit
                try:
                    await graph.write("UNWIND range(1, 10) AS n CREATE (:Filler {n: n, text: $t})", {"t": blob})
                except Exception:  # noqa: BLE001 - the point: it failed
                    break
            else:
                pytest.fail("the disk never filled")
            from collab_api.http.dev_tokens import mint

            token = mint(settings, "LEAD", collaborative="KSS")
            response = await client.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={
                "query": """mutation { setPriority(input: {collaborative: "KSS", title: "Falls at night", harmArea: "Falls"}) {
                    errors { code } } }"""})
            body = response.json()
            assert response.status_code == 503, body
            assert [e["extensions"]["code"] for e in body["errors"]] == ["DATABASE_UNAVAILABLE"]
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["database"] == "cannot write"
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await driver.close()
        server.stop()


def _env(data: Path, **more: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NEO4J_", "COLLAB_"))}
    return {**env, "COLLAB_ENV": "development", "COLLAB_DATA_DIR": str(data), "COLLAB_BOLT_PORT": str(free_port()),
            "COLLAB_ARCADEDB_HTTP_PORT": str(free_port()), "COLUMNS": "200", **more}


def test_a_read_only_data_folder_is_one_clear_line(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a read-only file system here")
    try:
        for command in (["seed"], ["serve", "--port", str(free_port())], ["db", "start"]):
            done = subprocess.run([COLLAB, *command], env=_env(folder / "data"), capture_output=True, text=True, timeout=120)
            said = done.stdout + done.stderr
            assert done.returncode == 2 and "cannot be written" in said and "COLLAB_DATA_DIR" in said, said[-800:]
            assert "Traceback" not in said
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _arcadedb_processes(root: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "java" in arguments and str(root) in arguments:
                found.append(int(entry.name))
    for argument_file in root.rglob("jvm-arguments"):  # the launcher reads its options from this file
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if f"@{argument_file}" in (entry / "cmdline").read_bytes().decode(errors="replace"):
                        found.append(int(entry.name))
                except OSError:
                    continue
    return sorted(set(found))


def _wait_for(condition: Any, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit  # a bound against hanging for ever, not a timing assumption
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def test_ctrl_c_while_the_database_starts_stops_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    process = subprocess.Popen([COLLAB, "seed"], env=_env(data), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait_for(lambda: _arcadedb_processes(data), "the database process started")
    assert process.poll() is None, "still starting it"
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 130, out.decode()[-800:]
    assert _arcadedb_processes(data) == [], "nothing it started is left running"
    assert b"Traceback" not in out


def test_db_stop_says_it_cannot_while_serve_keeps_the_database(tmp_path: Path) -> None:
    from tests.conftest import wait_ready

    data, port = tmp_path / "data", free_port()
    env = _env(data)
    serve = subprocess.Popen([COLLAB, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_ready(serve, port, timeout=180)
        stop = subprocess.run([COLLAB, "db", "stop"], env=env, capture_output=True, text=True, timeout=120)
        said = stop.stdout + stop.stderr
        assert stop.returncode == 1 and "collab serve" in said and str(serve.pid) in said, said
        status = subprocess.run([COLLAB, "db", "status"], env=env, capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, "still running, as it said"
    finally:
        serve.terminate()
        serve.communicate(timeout=120)
    assert _arcadedb_processes(data) == []
    assert not (data / "arcadedb" / "supervisor.json").exists()
    stopped = subprocess.run([COLLAB, "db", "stop"], env=env, capture_output=True, text=True, timeout=60)
    assert stopped.returncode == 0 and "not running" in stopped.stdout + stopped.stderr


async def test_a_page_over_its_time_budget_is_503(settings: Any, network: Any) -> None:
    from collab_api.app import create_app

    app = create_app(settings.model_copy(update={"request_seconds": 0.0001}), graph=network)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as slow:
        page = await slow.get("/interventions/marthas-rule/spread")
    assert page.status_code == 503 and "took too long" in page.text
