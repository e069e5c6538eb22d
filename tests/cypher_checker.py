"""Neo4j's Cypher front end, run in the background while the suite runs (the check takes about
a minute of CPU: Neo4j's semantic analysis, compiled to JavaScript, costs 50-400 ms a
statement). A checker process, at low priority so it uses only what the suite leaves idle, is
handed each statement the suite records as it is recorded; tests/test_neo4j_cypher.py, which
runs last, hands it the rest and reads every answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHECK = Path(__file__).parent / "neo4j_cypher"
NODE, NPM = shutil.which("node"), shutil.which("npm")


class CypherChecker:
    def __init__(self, recorded: set[str]) -> None:
        self.recorded = recorded
        self.sent: dict[str, int] = {}  # statement: its id
        self.answers: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        self._ready = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True, name="cypher-checker")]
        self._threads[0].start()

    # -- the checker process ----------------------------------------------------------------
    def _install(self) -> Path:
        work = Path(tempfile.mkdtemp(prefix="neo4j-cypher-"))
        for name in ("package.json", "package-lock.json", "check.mjs"):
            shutil.copy(CHECK / name, work / name)
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--silent", "--engine-strict=false"], cwd=work,  # type: ignore[list-item]
                       check=True, timeout=300, capture_output=True)
        return work

    def _run(self) -> None:
        try:
            work = self._install()
            self._process = subprocess.Popen([NODE, "check.mjs"], cwd=work, stdin=subprocess.PIPE,  # type: ignore[list-item]
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                                             preexec_fn=lambda: os.nice(15))
        except Exception as exc:  # noqa: BLE001 - reported by the test that reads the answers
            self.errors.append(f"the checker did not start: {exc}")
            self._ready.set()
            return
        reader = threading.Thread(target=self._read, daemon=True, name="cypher-checker-answers")
        reader.start()
        self._threads.append(reader)
        self._ready.set()
        while not self._stop.wait(1.0):
            self.send(set(self.recorded))  # copied in one step under the GIL

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            if line.startswith("{"):
                self.answers.append(json.loads(line))

    def send(self, statements: Iterable[str]) -> None:
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or process.stdin.closed:
                return
            for statement in sorted(set(statements) - self.sent.keys()):
                self.sent[statement] = len(self.sent)
                process.stdin.write(json.dumps({"id": self.sent[statement], "statement": statement}) + "\n")
            process.stdin.flush()

    def finish(self, more: Iterable[str], timeout: float = 600) -> tuple[list[str], list[dict[str, Any]]]:
        """Hand over `more` and whatever was recorded since, wait for every answer; returns the
        statements checked (by id) and the answers."""
        self._ready.wait(timeout)
        self._stop.set()
        self._threads[0].join(timeout)
        if self.errors:
            raise RuntimeError("; ".join(self.errors))
        assert self._process is not None and self._process.stdin is not None
        self.send(set(self.recorded) | set(more))
        with self._lock:
            self._process.stdin.close()
        self._process.wait(timeout)
        for thread in self._threads[1:]:
            thread.join(timeout)
        if self._process.returncode != 0:
            raise RuntimeError(self._process.stderr.read()[-3000:] if self._process.stderr else "the checker failed")
        by_id = sorted(self.sent, key=self.sent.__getitem__)
        return by_id, self.answers


_checker: CypherChecker | None = None


def start(recorded: set[str]) -> None:
    """Start the background checker once (with node and npm on the machine)."""
    global _checker
    if _checker is None and NODE and NPM:
        _checker = CypherChecker(recorded)


def checker(recorded: set[str]) -> CypherChecker:
    """The background checker; started now if the suite did not start it."""
    start(recorded)
    assert _checker is not None
    return _checker
