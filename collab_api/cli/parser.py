"""The `collab` command line: commands, options, their help and the values they accept."""

from __future__ import annotations

import argparse

from collab_api.cli.maintenance import cmd_backup, cmd_migrate, cmd_restore
from collab_api.cli.commands import (
    cmd_db, cmd_notify, cmd_ods_import, cmd_qart_export, cmd_qart_import, cmd_report_spread, cmd_schema_apply, cmd_sdl, cmd_seed, cmd_serve, cmd_token,
)


from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.vocabulary import CARE_SETTING_CODES

ENVIRONMENT = """environment:
  COLLAB_ENV                 production (default) or development (GraphiQL, /dev/sign-in, dev tokens)
  COLLAB_DATA_DIR            where the local database, its password and keys live (default .collab)
  COLLAB_BOLT_PORT           the local database's Bolt port (default 7687)
  COLLAB_ARCADEDB_HTTP_PORT  the local database's HTTP port (default 2480)
  NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE
                             use this Bolt server (Neo4j 5, Aura) instead of the local one
  more in docs/operations.md (sign-in, limits, timeouts)"""
SETTINGS = sorted(CARE_SETTING_CODES)
ROLES = ["NATIONAL", "LEAD", "PROVIDER"]


def _version() -> str:
    try:
        return version("collab-api")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def quarter(text: str) -> str:
    try:
        return Quarter.parse(text).label
    except QuarterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def care_setting(text: str) -> str:
    code = text.strip().upper().replace("-", "_").replace(" ", "_")
    if code not in CARE_SETTING_CODES:
        raise argparse.ArgumentTypeError(f"'{text}' is not a care setting; choose one of {', '.join(SETTINGS)}")
    return code


def role(text: str) -> str:
    code = text.strip().upper()
    if code not in ROLES:
        raise argparse.ArgumentTypeError(f"'{text}' is not a role; choose one of {', '.join(ROLES)}")
    return code


def positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not allowed: give 1 or more")
    return number


def port(text: str) -> int:
    number = positive(text)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port (1 to 65535)")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="collab", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=ENVIRONMENT,
        description="The patient safety collaboratives' shared learning service: the pages, the GraphQL API, "
                    "the local database, quarterly returns and reports.")
    parser.add_argument("--version", action="version", version=f"collab {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the pages and the GraphQL API", epilog=ENVIRONMENT,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port, default=8000, help="the port to listen on (default 8000)")
    serve.add_argument("--seed", action="store_true", help="load reference and demo data at start")
    serve.add_argument("--workers", type=positive, default=None,
                       help="worker processes behind the one port, each with its own database driver "
                            "(default: COLLAB_WORKERS, else 1)")
    serve.set_defaults(run=cmd_serve)

    db = commands.add_parser("db", help="run the local ArcadeDB server on its own")
    db.add_argument("action", choices=["start", "stop", "status"],
                    help="start it (and leave it running), stop it, or say whether it runs (exit 3 if not)")
    db.set_defaults(run=cmd_db)

    schema = commands.add_parser("schema", help="graph constraints and indexes")
    schema.add_argument("action", choices=["apply"], help="apply them (also done at every start)")
    schema.set_defaults(run=cmd_schema_apply)

    seed = commands.add_parser("seed", help="load reference data and the demo network (idempotent)")
    seed.add_argument("--no-demo", action="store_true", help="reference data only")
    seed.add_argument("--scale", choices=["demo", "national", "small"], default="demo",
                      help="demo (default): the demo network; national: a synthetic national-scale network for benchmarks "
                           "(7,000 organisations, 10,000 interventions, about 1,000,000 observations; for an empty database); "
                           "small: the same shape, a few thousand observations")
    seed.set_defaults(run=cmd_seed)

    qart = commands.add_parser("qart", help="the quarterly adoption return workbook")
    qart_commands = qart.add_subparsers(dest="qart_command", required=True, metavar="ACTION")
    read = qart_commands.add_parser("import", help="read a returned workbook into the graph")
    read.add_argument("file", type=Path, help="the returned workbook (.xlsx)")
    read.add_argument("--quarter", type=quarter, help="e.g. '2025/26 Q1' (default: from the file name)")
    read.add_argument("--collaborative", help="reject rows of trusts outside this collaborative (its code, e.g. KSS)")
    read.add_argument("--intervention", default="marthas-rule", help="the intervention reported on (default marthas-rule)")
    read.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    read.add_argument("--confirm", action="store_true",
                      help="import even where the file name or the workbook names another quarter or collaborative than "
                           "--quarter and --collaborative (they are right)")
    read.add_argument("--json", action="store_true", help="print the summary as JSON")
    read.set_defaults(run=cmd_qart_import)
    write = qart_commands.add_parser("export", help="write the workbook for a collaborative")
    write.add_argument("--collaborative", required=True, help="the collaborative's code, e.g. KSS")
    write.add_argument("--quarter", required=True, type=quarter, help="the quarter it is for, e.g. '2025/26 Q2'")
    write.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    write.add_argument("--prefill", action="store_true", help="fill in last quarter's stages")
    write.add_argument("--intervention", default="marthas-rule", help="the intervention (default marthas-rule)")
    write.set_defaults(run=cmd_qart_export)

    ods = commands.add_parser("ods", help="real organisations from the national ODS data files")
    ods_commands = ods.add_subparsers(dest="ods_command", required=True, metavar="ACTION")
    load = ods_commands.add_parser("import", help="create or update organisations from a folder of ODS CSV extracts",
                                   description="Reads whichever of etr.csv (NHS trusts), ets.csv (trust sites), epraccur.csv "
                                               "(GP practices), ecarehomesite.csv (care homes), eccg.csv (sub-ICB locations) and "
                                               "succ.csv (successors: mergers) the folder holds. Idempotent.")
    load.add_argument("directory", type=Path, help="the folder holding the files")
    load.add_argument("--json", action="store_true", help="print the summary as JSON")
    load.set_defaults(run=cmd_ods_import)

    report = commands.add_parser("report", help="pictures of spread")
    report_commands = report.add_subparsers(dest="report_command", required=True, metavar="REPORT")
    spread = report_commands.add_parser("spread", help="an intervention's spread, as .html, .png or .svg")
    spread.add_argument("--intervention", required=True, help="the intervention's id, e.g. marthas-rule")
    spread.add_argument("--out", required=True, help="FILE.html, FILE.png or FILE.svg")
    spread.add_argument("--quarter", type=quarter, help="e.g. '2025/26 Q4' (default: the latest with data)")
    spread.add_argument("--component", help="one component, by name (default: all)")
    spread.add_argument("--care-setting", dest="care_setting", type=care_setting, metavar="SETTING",
                        help="one care setting (any case): " + ", ".join(SETTINGS))
    spread.add_argument("--phase", type=positive, help="one roll-out phase: 1, 2, 3 ...")
    spread.set_defaults(run=cmd_report_spread)

    token = commands.add_parser("token", help="mint a development token (trusted only in development mode)")
    token.add_argument("--role", required=True, type=role, metavar="ROLE", help="NATIONAL, LEAD or PROVIDER (any case)")
    token.add_argument("--collaborative", help="a LEAD's collaborative code, e.g. KSS")
    token.add_argument("--organisation", help="a PROVIDER's ODS code, e.g. Z43")
    token.add_argument("--minutes", type=positive, default=60, help="how long it is valid (default 60)")
    token.set_defaults(run=cmd_token)

    notify = commands.add_parser("notify", help="send the e-mail due (notifications and weekly summaries), once",
                                 epilog="COLLAB_SMTP_HOST, COLLAB_SMTP_PORT, COLLAB_SMTP_USERNAME, COLLAB_SMTP_PASSWORD, "
                                        "COLLAB_SMTP_STARTTLS, COLLAB_MAIL_FROM: see docs/operations.md, Configuration.")
    notify.set_defaults(run=cmd_notify)

    saved = commands.add_parser("backup", help="back up the local database (a zip, taken while it runs)")
    saved.add_argument("--out", help="the file or folder to write (default: COLLAB_DATA_DIR/backups/)")
    saved.set_defaults(run=cmd_backup)
    restoring = commands.add_parser("restore", help="restore the local database from a backup (stop it first); the "
                                                    "database it replaces is kept beside it")
    restoring.add_argument("file", help="a zip made by `collab backup`")
    restoring.set_defaults(run=cmd_restore)

    migrate = commands.add_parser("migrate", help="run the graph's data migrations it lacks, in order (also run by "
                                                  "`collab schema apply` and at every start with COLLAB_APPLY_SCHEMA=true)")
    migrate.add_argument("--check", action="store_true",
                         help="only say: exit 0 up to date, 3 steps missing, 4 a later release's graph")
    migrate.set_defaults(run=cmd_migrate)

    sdl = commands.add_parser("sdl", help="print or write the GraphQL SDL")
    sdl.add_argument("--out", help="write to this file")
    sdl.set_defaults(run=cmd_sdl)
    return parser
