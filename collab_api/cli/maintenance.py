"""`collab backup` and `collab restore` (the local database's backup and its restore drill; for
Neo4j or Aura the database's own tools do it: docs/operations.md), and `collab migrate`."""

from __future__ import annotations

import argparse
from pathlib import Path

from collab_api.cli.commands import console, with_database
from collab_api.config import Settings
from collab_api.db.backup import BackupError, backup, restore
from collab_api.db.local_server import LocalArcadeDB, LocalServerError
from collab_api.db.runtime import Connection, local_server

NEO4J_WAY = ("NEO4J_URI is set ({uri}): back up and restore Neo4j with its own tools (neo4j-admin database backup or "
             "dump and load; Aura: snapshots), as docs/operations.md says")


def _local(settings: Settings) -> LocalArcadeDB | None:
    """The local database's server, or None (having said so) when NEO4J_URI names another."""
    if settings.uses_local_server:
        return local_server(settings)
    console.print(NEO4J_WAY.format(uri=settings.neo4j_uri))
    return None


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    if (server := _local(settings)) is None:
        return 1
    try:
        started = server.start(settings.local_start_timeout)
        try:
            made = backup(server, Path(args.out) if args.out else None)
        finally:
            if started:
                server.stop()
    except (BackupError, LocalServerError) as exc:
        console.print(f"[red]no backup made:[/] {exc}")
        return 1
    console.print(f"backed up the database '{server.database}' to {made} ({made.stat().st_size:,} bytes); "
                  "restore it with: collab restore " + str(made))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    if (server := _local(settings)) is None:
        return 1
    try:
        aside = restore(server, Path(args.file))
    except BackupError as exc:
        console.print(f"[red]not restored:[/] {exc}")
        return 1
    console.print(f"restored {args.file} as the database '{server.database}' in {server.root / 'databases'}"
                  + (f"; the database it replaced is kept in {aside} (delete it once you are sure)" if aside else ""))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Run the migration steps the graph lacks (or, --check, say which): exit 3 when steps are
    missing (with --check), 4 when a later release migrated the graph."""
    from collab_api.graph import migrations

    async def work(connection: Connection) -> tuple[list[str], list[str], list[tuple[str, int]]]:
        missing, unknown = await migrations.state(connection.graph)
        if unknown or args.check:
            return missing, unknown, []
        return missing, unknown, await migrations.migrate(connection.graph)

    missing, unknown, ran = with_database(settings, work)
    if unknown:
        console.print(f"[red]not migrated:[/] the graph was migrated by a later release (steps {', '.join(unknown)} "
                      "are not this release's): run that release, or restore a backup made before it")
        return 4
    if args.check:
        console.print(f"steps missing: {', '.join(missing)}; run `collab migrate`" if missing else "the graph is up to date")
        return 3 if missing else 0
    for step, changed in ran:
        console.print(f"migrated: {step} ({changed:,} changed)")
    console.print(f"the graph is up to date ({len(migrations.STEPS)} steps)")
    return 0
