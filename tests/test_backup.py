"""A backup that is restored: the local database backed up while it runs (with the demo
network in it), restored into a new folder, and served from there with every node and
relationship, label by label, as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import neo4j
import pytest

from collab_api.db.backup import BackupError, backup, restore
from collab_api.db.local_server import LocalArcadeDB, free_port

pytestmark = pytest.mark.usefixtures("network")
ROOT = Path(__file__).resolve().parent.parent
COUNTS = "MATCH (n) RETURN labels(n) AS labels, count(*) AS nodes"
LINKS = """MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS links ORDER BY type"""


async def test_a_backup_restores_into_a_new_folder_with_every_node(test_server: Any, graph: Any, tmp_path: Path) -> None:

    if test_server.local is None:
        pytest.skip("an external server: its own tools back it up (docs/operations.md)")
    running = LocalArcadeDB(test_server.local.root, bolt_port=test_server.local.bolt_port,
                            http_port=test_server.local.http_port, database=graph.database)
    nodes, links = sorted(await graph.read(COUNTS), key=str), await graph.read(LINKS)
    assert sum(row["nodes"] for row in nodes) > 500 and len(nodes) > 10  # the demo network, without its history
    archive = backup(running, tmp_path / "saved")
    assert archive.exists() and oct(archive.stat().st_mode & 0o777) == "0o600"

    elsewhere = LocalArcadeDB(tmp_path / "restored", bolt_port=free_port(), http_port=free_port(), heap="512m",
                              database=graph.database)
    assert restore(elsewhere, archive) is None  # nothing was there to move aside
    elsewhere.start(120)
    try:
        with neo4j.GraphDatabase.driver(elsewhere.bolt_uri, auth=elsewhere.auth) as driver:
            with driver.session(database=graph.database) as session:
                assert sorted((dict(r) for r in session.run(COUNTS)), key=str) == nodes
                assert [dict(r) for r in session.run(LINKS)] == links
        with pytest.raises(BackupError, match="stop it first"):
            restore(elsewhere, archive)
    finally:
        elsewhere.stop()
    kept = restore(elsewhere, archive)  # a second restore keeps the database it replaces
    assert kept is not None and kept.exists() and (elsewhere.root / "databases" / graph.database).exists()
    with pytest.raises(BackupError, match="no backup file"):
        restore(elsewhere, tmp_path / "missing.zip")


def test_the_commands_say_what_they_cannot_do(tmp_path: Path) -> None:
    env = {**os.environ, "NEO4J_URI": "neo4j+s://example.databases.neo4j.io", "NEO4J_PASSWORD": "x",
           "COLLAB_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "collab_api", "backup"], env=env, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1 and "neo4j-admin database backup" in said and "Traceback" not in said
    env.pop("NEO4J_URI")
    done = subprocess.run([sys.executable, "-m", "collab_api", "restore", str(tmp_path / "none.zip")], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1 and "not restored: no backup file at" in said
