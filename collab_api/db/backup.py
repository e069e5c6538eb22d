"""Backing up the local ArcadeDB database and restoring it (ArcadeDB's own online backup, a
zip of the database's files taken as a snapshot while it runs, and its offline restore). The
one place that knows how ArcadeDB does it; for Neo4j, see docs/operations.md."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from collab_api.db.local_server import LocalArcadeDB, LocalServerError, _package_dir


class BackupError(RuntimeError):
    """The backup or restore could not be made; what was there is left as it was."""


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def backup(server: LocalArcadeDB, out: Path | None = None) -> Path:
    """Back up the running server's database to `out` (default: the data folder's backups/),
    readable by its owner alone; returns the file."""
    name = f"collab-{server.database}-{_stamp()}.zip"
    try:
        server.http().sql(server.database, f"BACKUP DATABASE file://{name}")
    except Exception as exc:  # noqa: BLE001 - the server's HTTP answer, whatever it was
        raise BackupError(f"ArcadeDB could not back up '{server.database}': {str(exc)[:300]}") from exc
    made = server.root / "backups" / server.database / name
    if not made.exists():
        raise BackupError(f"ArcadeDB reported a backup, but {made} is not there")
    target = Path(out) if out is not None else server.root.parent / "backups" / name
    if target.is_dir():
        target = target / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(made), target)
    os.chmod(target, 0o600)
    return target.resolve()


def restore(server: LocalArcadeDB, archive: Path) -> Path | None:
    """Restore `archive` as the server's database, the server being stopped. The database it
    replaces is moved aside (returned), never deleted; on failure it is put back."""
    if server.status().running:
        raise BackupError("the local database is running: stop it first (`collab db stop`, or stop `collab serve`)")
    archive = Path(archive).resolve()
    if not archive.is_file():
        raise BackupError(f"no backup file at {archive}")
    databases = server.root / "databases"
    databases.mkdir(parents=True, exist_ok=True)
    current = databases / server.database
    aside = databases / f"{server.database}.before-restore-{_stamp()}" if current.exists() else None
    if aside is not None:
        current.rename(aside)
    java = _package_dir() / "jre" / "bin" / "java"
    done = subprocess.run([str(java), "-cp", str(_package_dir() / "jars" / "*"), "com.arcadedb.integration.restore.Restore",
                           "-f", archive.as_uri(), "-d", str(current), "-o"], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0 or not current.exists():
        shutil.rmtree(current, ignore_errors=True)
        if aside is not None:
            aside.rename(current)
        last = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BackupError(f"the restore failed (the database was left as it was): {' '.join(last)[:400]}")
    return aside


__all__ = ["BackupError", "LocalServerError", "backup", "restore"]
