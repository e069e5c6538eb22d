"""The `collab` command: serve the API and the pages, run the local database, apply the
schema, seed, import and export quarterly returns, draw reports, mint development tokens."""

from __future__ import annotations

import logging
import sys
import tempfile
import warnings
from pathlib import Path

import neo4j

from collab_api.cli.commands import cmd_sdl, console
from collab_api.cli.parser import build_parser
from collab_api.config import Settings
from collab_api.db.local_server import LocalServerError
from collab_api.db.runtime import DatabaseConfigError

__all__ = ["main", "build_parser"]


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")  # Authlib's, not ours
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per HTTP call is noise here
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        if settings.uses_local_server and args.run is not cmd_sdl and (problem := unwritable(settings.data_dir)):
            console.print(f"[red]data folder:[/] {problem}")
            return 2
        return args.run(args, settings)
    except (LocalServerError, DatabaseConfigError) as exc:
        console.print(f"[red]database:[/] {exc}")
        return 2
    except neo4j.exceptions.ServiceUnavailable as exc:
        console.print(f"[red]database unreachable:[/] {exc}")
        return 2
    except neo4j.exceptions.AuthError as exc:
        console.print(f"[red]database refused the credentials:[/] {exc}")
        return 2
    except KeyboardInterrupt:
        console.print("stopped (Ctrl-C); anything it had started is stopped too")
        return 130
    except OSError as exc:  # a folder or file it needs, after the checks above
        console.print(f"[red]cannot go on:[/] {exc.strerror or exc}: {exc.filename or ''}")
        return 2


def unwritable(folder: Path) -> str | None:
    """Why the data folder cannot hold the local database, the session key and uploads, or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return (f"{folder} cannot be written ({exc.strerror or exc}); the local database, the session key and uploads "
                "live there: make it writable, or set COLLAB_DATA_DIR to a folder this user can write")
    return None


if __name__ == "__main__":
    sys.exit(main())
