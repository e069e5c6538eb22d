"""The `collab` command: serve the API and the pages, run the local database, apply the
schema, seed, import and export quarterly returns, draw reports, mint development tokens."""

from __future__ import annotations

import logging
import sys
import warnings

import neo4j

from collab_api.cli.commands import console
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
        return args.run(args, Settings())
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
        return 130


if __name__ == "__main__":
    sys.exit(main())
