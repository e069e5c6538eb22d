"""The GraphQL-over-HTTP audit: graphql-http's own `auditServer` (pinned in
tests/graphql_http_audit) run by Node against `collab serve` as a real process. Every MUST,
SHOULD and MAY check must be "ok".

Needs Node and npm (the registry, for `npm ci`); without them the test is skipped with that
reason, except under CI, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from collab_api.db.graph import Graph
from tests.conftest import TestServer, serve_collab

AUDIT = Path(__file__).parent / "graphql_http_audit"
NODE, NPM = shutil.which("node"), shutil.which("npm")
if not (NODE and NPM):
    if os.environ.get("CI"):
        raise RuntimeError("the GraphQL-over-HTTP audit needs node and npm")
    pytest.skip("no node/npm for the GraphQL-over-HTTP audit", allow_module_level=True)


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("graphql-http-audit")
    for name in ("package.json", "package-lock.json", "audit.mjs"):
        shutil.copy(AUDIT / name, work / name)
    subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--silent"], cwd=work, check=True, timeout=300)  # type: ignore[list-item]
    return work


def test_every_must_should_and_may_check_passes(
    test_server: TestServer, graph: Graph, audit_dir: Path, tmp_path: Path
) -> None:
    with serve_collab(test_server, graph.database, tmp_path) as base:
        run = subprocess.run([NODE, "audit.mjs", f"{base}/graphql"], cwd=audit_dir,  # type: ignore[list-item]
                             capture_output=True, text=True, timeout=300)
    results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert len(results) >= 50, run.stdout + run.stderr  # the audit really ran
    failures = [f"{r['status']} {r['id']} {r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert not failures, "\n".join(failures)
    assert run.returncode == 0
