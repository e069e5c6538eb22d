"""The local ArcadeDB server, run as a child process from the `arcadedb-embedded` package.

Used when no NEO4J_URI is configured. Bolt and HTTP listen on 127.0.0.1 only; data, the
generated root password (mode 0600), the pid file and the server log live under one folder.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import neo4j

from collab_api.db.arcadedb_http import ArcadeHttp


class LocalServerError(RuntimeError):
    """The local database server could not be started, reached or stopped."""


def _package_dir() -> Path:
    try:
        import arcadedb_embedded  # type: ignore[import-untyped]
    except ImportError as exc:  # the production image leaves it out: it serves Neo4j only
        raise LocalServerError("the local database needs the arcadedb-embedded package (pip install 'collab-api[local]'); "
                               "or set NEO4J_URI to use a Neo4j server") from exc
    return Path(arcadedb_embedded.__file__).parent


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _quoted(option: str) -> str:
    """One option for a Java argument file: quoted, with backslashes and quotes escaped."""
    return '"' + option.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _private(folder: Path) -> None:
    """The data folder and everything in it readable by its owner only (0700, 0600)."""
    if not folder.exists():
        return
    folder.chmod(0o700)
    for path in folder.rglob("*"):
        try:
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError:
            pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _is_arcadedb_process(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ProcessLookupError):
        return False
    # the class name is in the argument file the launcher read (`java @.../jvm-arguments`)
    return b"com.arcadedb.server.ArcadeDBServer" in cmdline or b"/jvm-arguments" in cmdline


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_uri: str
    http_url: str
    root: Path

    def describe(self) -> str:
        state = f"running (pid {self.pid})" if self.running else "stopped"
        return f"ArcadeDB {state}; bolt {self.bolt_uri}; http {self.http_url}; data {self.root}"


class LocalArcadeDB:
    """Start, await, stop and inspect one ArcadeDB server whose data lives under `root`."""

    user = "root"

    def __init__(
        self,
        root: Path,
        *,
        bolt_port: int = 7687,
        http_port: int = 2480,
        heap: str = "1g",
        database: str = "neo4j",
    ) -> None:
        self.root = Path(root).resolve()
        self.bolt_port = bolt_port
        self.http_port = http_port
        self.heap = heap
        self.database = database
        self._process: subprocess.Popen[bytes] | None = None
        self._abandoned = threading.Event()  # set from another thread: a start under way stops what it started

    # -- where things are -------------------------------------------------------------
    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def _password_file(self) -> Path:
        return self.root / "root-password"

    @property
    def _supervisor_file(self) -> Path:
        return self.root / "supervisor.json"

    # -- who keeps it running -------------------------------------------------------------
    def supervise(self) -> None:
        """Record that this process starts the server again if it stops (`collab serve`)."""
        descriptor = os.open(self._supervisor_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"pid": os.getpid()}))

    def unsupervise(self) -> None:
        try:
            if json.loads(self._supervisor_file.read_text()).get("pid") == os.getpid():
                self._supervisor_file.unlink(missing_ok=True)
        except (OSError, ValueError, AttributeError):
            pass

    def supervisor(self) -> int | None:
        """The live process (other than this one) that would start the server again, if any."""
        try:
            pid = json.loads(self._supervisor_file.read_text()).get("pid")
        except (OSError, ValueError, AttributeError):
            return None
        if not isinstance(pid, int) or pid == os.getpid():
            return None
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return pid

    def abandon(self) -> None:
        """Called when whoever asked for `start` gave up (Ctrl-C): the start stops what it began."""
        self._abandoned.set()

    @property
    def _pid_file(self) -> Path:
        return self.root / "server.json"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def password(self) -> str:
        """The root password, generated once and kept in a file only its owner can read."""
        if not self._password_file.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(24))
        os.chmod(self._password_file, 0o600)
        return self._password_file.read_text().strip()

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def http(self) -> ArcadeHttp:
        return ArcadeHttp(self.http_url, self.auth)

    # -- lifecycle ----------------------------------------------------------------------
    def _recorded_pid(self) -> int | None:
        try:
            recorded = json.loads(self._pid_file.read_text())
        except (OSError, ValueError):
            return None
        pid = recorded.get("pid")
        if isinstance(pid, int) and _is_arcadedb_process(pid):
            self.bolt_port = recorded.get("boltPort", self.bolt_port)
            self.http_port = recorded.get("httpPort", self.http_port)
            return pid
        return None

    def status(self) -> ServerStatus:
        pid = self._recorded_pid()
        return ServerStatus(pid is not None, pid, self.bolt_uri, self.http_url, self.root)

    def start(self, timeout: float = 60.0) -> bool:
        """Start the server unless it already runs; wait until it answers Bolt queries.

        Returns True when this call started it (and so should stop it), False when it was
        already running (for example after `collab db start`).
        """
        if self._recorded_pid() is not None:
            self.wait_ready(timeout)
            return False
        for port, name in ((self.bolt_port, "COLLAB_BOLT_PORT"), (self.http_port, "COLLAB_ARCADEDB_HTTP_PORT")):
            if not _port_is_free(port):
                raise LocalServerError(
                    f"port {port} on 127.0.0.1 is already in use by another program; "
                    f"stop it or choose another port with {name}"
                )
        package = _package_dir()
        java = package / "jre" / "bin" / "java"
        if not java.exists():
            raise LocalServerError(f"no Java runtime in the arcadedb-embedded package at {java}")
        (self.root / "databases").mkdir(parents=True, exist_ok=True)
        _private(self.root)
        self.root.parent.chmod(0o700)  # the data folder: its other files are made 0600 where they are written
        options = [
            f"-Xmx{self.heap}",
            "-cp",
            str(package / "jars" / "*"),
            f"-Darcadedb.server.rootPath={self.root}",
            f"-Darcadedb.server.databaseDirectory={self.root / 'databases'}",
            f"-Darcadedb.server.rootPassword={self.password}",
            f"-Darcadedb.server.defaultDatabases={self.database}[{self.user}]",
            "-Darcadedb.server.httpIncomingHost=127.0.0.1",
            f"-Darcadedb.server.httpIncomingPort={self.http_port}",
            "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "-Darcadedb.bolt.host=127.0.0.1",
            f"-Darcadedb.bolt.port={self.bolt_port}",
            "com.arcadedb.server.ArcadeDBServer",
        ]
        # The options, the root password among them, go in a file only we can read, which the
        # Java launcher reads (`java @file`): nothing secret on the command line, where `ps` shows it.
        arguments = self.root / "jvm-arguments"
        descriptor = os.open(arguments, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(_quoted(option) for option in options) + "\n")
        os.chmod(arguments, 0o600)
        command = [str(java), f"@{arguments}"]
        log = open(self.log_file, "ab", opener=lambda path, flags: os.open(path, flags, 0o600))
        os.chmod(self.log_file, 0o600)
        # A session of its own: Ctrl-C in the terminal reaches us, and we stop the server
        # after closing the driver, rather than both racing to shut down.
        self._process = subprocess.Popen(
            command, cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077,  # its files and WAL: ours alone
        )
        log.close()
        descriptor = os.open(self._pid_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"pid": self._process.pid, "boltPort": self.bolt_port, "httpPort": self.http_port}))
        try:
            self.wait_ready(timeout)
        except LocalServerError:
            self.stop()
            raise
        if self._abandoned.is_set():
            self.stop()
            raise LocalServerError("the start was abandoned; the server it began was stopped")
        return True

    def wait_ready(self, timeout: float) -> None:
        """Ready means a Bolt query succeeds on the database, not just an open port."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._abandoned.is_set():
                raise LocalServerError("the start was abandoned")
            if self._process is not None and self._process.poll() is not None:
                raise LocalServerError(
                    f"ArcadeDB exited with code {self._process.returncode} while starting; "
                    f"last lines of {self.log_file}:\n{self._log_tail()}"
                )
            try:
                # One auto-commit probe, no driver retries: this loop does the waiting.
                with neo4j.GraphDatabase.driver(self.bolt_uri, auth=self.auth) as driver:
                    with driver.session(database=self.database) as session:
                        session.run("RETURN 1").consume()
                return
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
                last_error = exc
                time.sleep(0.25)
        raise LocalServerError(
            f"ArcadeDB did not answer Bolt queries on {self.bolt_uri} within {timeout:.0f} s "
            f"(last error: {last_error}); see {self.log_file}"
        )

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the server cleanly (SIGTERM runs its shutdown hook); kill it if it hangs."""
        pid = self._process.pid if self._process is not None else self._recorded_pid()
        if pid is None:
            self._pid_file.unlink(missing_ok=True)
            return False
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._alive(pid):
            time.sleep(0.1)
        if self._alive(pid):
            os.kill(pid, signal.SIGKILL)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self._forget(pid)
        return True

    def _forget(self, pid: int) -> None:
        """Remove the state file only if it records the server with this pid: a server another
        command started since keeps its own."""
        try:
            recorded = json.loads(self._pid_file.read_text()).get("pid")
        except (OSError, ValueError, AttributeError):
            return
        if recorded == pid:
            self._pid_file.unlink(missing_ok=True)

    def died(self) -> bool:
        """Did the server this object started exit?"""
        return self._process is not None and self._process.poll() is not None

    def recover(self, timeout: float) -> str:
        """After the server we started died: adopt one another command started since
        ("adopted"), or start it again ("restarted")."""
        if self._process is not None:
            old = self._process.pid
            self._process.wait()
            self._process = None
            self._forget(old)
        if self._recorded_pid() is not None:
            return "adopted"
        self.start(timeout)
        return "restarted"

    def _alive(self, pid: int) -> bool:
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        return _is_arcadedb_process(pid)

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
