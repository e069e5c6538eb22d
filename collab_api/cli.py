"""The `collab` command: serve the API, run the local database, apply the schema, seed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import neo4j
from rich.console import Console

from collab_api.config import Settings
from collab_api.db.local_server import LocalServerError
from collab_api.db.runtime import Connection, DatabaseConfigError, local_server, open_database

console = Console(stderr=True)


def _with_database(settings: Settings, work: Callable[[Connection], Awaitable[Any]]) -> Any:
    async def run() -> Any:
        async with open_database(settings) as connection:
            return await work(connection)

    return asyncio.run(run())


def cli_actor() -> Any:
    """Whoever runs the command line on the server acts as the national team, audited by name."""
    import getpass

    from collab_api.domain.permissions import Actor, Role

    return Actor(f"cli:{getpass.getuser()}", Role.NATIONAL)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from collab_api.app import create_app

    mode = "development" if settings.development else "production"
    console.print(f"[bold]collab[/] serving on http://{args.host}:{args.port}/graphql ({mode} mode)")
    uvicorn.run(create_app(settings, seed=args.seed), host=args.host, port=args.port, log_level="info")
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.uses_local_server:
        console.print(f"NEO4J_URI is set ({settings.neo4j_uri}): the local server is not used")
        return 1
    server = local_server(settings)
    if args.action == "start":
        started = server.start(settings.local_start_timeout)
        console.print(("started: " if started else "already running: ") + server.status().describe())
    elif args.action == "stop":
        console.print("stopped" if server.stop() else "not running")
    else:
        status = server.status()
        console.print(status.describe())
        return 0 if status.running else 3
    return 0


def cmd_schema_apply(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.graph.schema_ops import apply_schema

    applied = _with_database(settings, apply_schema)
    console.print(f"schema applied: {len(applied)} statements")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.graph.schema_ops import apply_schema
    from collab_api.graph.seed import count_by_label
    from graph_seed.load import load_all

    async def work(connection: Connection) -> dict[str, int]:
        await apply_schema(connection)
        await load_all(connection.graph, with_demo=not args.no_demo, show_progress=sys.stderr.isatty())
        return await count_by_label(connection.graph)

    counts = _with_database(settings, work)
    console.print("seeded; nodes by label: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


def cmd_sdl(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.api.schema import sdl

    text = sdl()
    if args.out:
        Path(args.out).write_text(text)
        console.print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_qart_import(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from collab_api.usecases.qart_import import ImportRefused, import_return

    async def work(connection: Connection) -> Any:
        return await import_return(connection.graph, Path(args.file), actor=cli_actor(), quarter=args.quarter,
                                   collaborative=args.collaborative,
                                   intervention=args.intervention, dry_run=args.dry_run)

    try:
        summary = _with_database(settings, work)
    except ImportRefused as refused:
        if args.json:
            print(json.dumps({"refused": str(refused)}))
        console.print(f"[red]refused:[/] {refused}")
        return 1
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2, default=str))
    else:
        _print_import(summary.as_dict())
    return 0


def _print_import(summary: dict[str, Any]) -> None:
    from rich.table import Table

    out = Console()
    state = "checked (dry run, nothing written)" if summary["dryRun"] else "imported"
    out.print(f"[bold]{summary['file']}[/] {state}: {summary['quarter']}, {summary['intervention']}, "
              f"collaborative {summary['collaborative'] or ', '.join(summary['collaborativesFound']) or '-'}")
    if summary["missingSheets"]:
        out.print(f"[yellow]missing sheets:[/] {', '.join(summary['missingSheets'])}")
    rows, cells, obs = summary["rows"], summary["cells"], summary["observations"]
    out.print(f"rows: {rows['read']} read, {rows['accepted']} accepted, {rows['rejected']} rejected; "
              f"cells: {cells['read']} read, {cells['accepted']} accepted, {cells['rejected']} rejected; "
              f"observations: {obs['created']} new, {obs['unchanged']} unchanged, {obs['corrected']} corrected")
    for site in summary["sitesCreated"]:
        out.print(f"new site {site['site']} created under trust {site['trust']} ({site['sheet']} row {site['row']})")
    if summary["rejections"]:
        table = Table("sheet", "cell", "value", "reason", title="Rejected")
        for rejection in summary["rejections"]:
            table.add_row(rejection["sheet"], rejection["cell"], rejection["value"] or "", rejection["reason"])
        out.print(table)


def cmd_qart_export(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.usecases.qart_export import ExportError, export_return

    async def work(connection: Connection) -> Any:
        return await export_return(connection.graph, args.collaborative, args.quarter, Path(args.out),
                                   prefill=args.prefill, intervention=args.intervention)

    try:
        result = _with_database(settings, work)
    except (ExportError, ValueError) as exc:
        console.print(f"[red]not written:[/] {exc}")
        return 1
    console.print(f"wrote {result['file']}: {result['sites']} sites of {result['collaborative']} for {result['quarter']}"
                  + (f", {result['prefilledCells']} cells prefilled from {result['prefilledFrom']}" if result["prefilledFrom"] else ""))
    return 0


def cmd_report_spread(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.domain.errors import InvalidInput
    from collab_api.domain.permissions import Visibility
    from collab_api.usecases.spread_reporting import build_spread_report
    from collab_api.graph.interventions import by_ids
    from collab_api.reports.spread_figures import write

    everything = Visibility(True)

    async def work(connection: Connection) -> Any:
        found = await by_ids(connection.graph, [args.intervention], everything)
        report = await build_spread_report(connection.graph, args.intervention, everything, component=args.component,
                                           care_setting=args.care_setting, phase=args.phase, quarter=args.quarter)
        return found.get(args.intervention), report

    try:
        intervention, report = _with_database(settings, work)
        if intervention is None:
            console.print(f"[red]no intervention has the id '{args.intervention}'[/]")
            return 1
        if report["quarter"] is None:
            console.print(f"[red]no adoption reported for {args.intervention}[/]")
            return 1
        narrowed = ", ".join(filter(None, [args.component, args.care_setting, f"phase {args.phase}" if args.phase else None]))
        title = f"Spread of {intervention['title']}" + (f" ({narrowed})" if narrowed else "")
        path = write(report, Path(args.out), title)
    except (InvalidInput, ValueError) as exc:
        console.print(f"[red]not written:[/] {exc}")
        return 1
    console.print(f"wrote {path} ({report['quarter']}, {report['national']['reported']} cells from {report['national']['sites']} sites)")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.http.dev_tokens import mint

    role = args.role.upper()
    if role == "LEAD" and not args.collaborative:
        console.print("[red]a LEAD token needs --collaborative CODE[/]")
        return 2
    if role == "PROVIDER" and not args.organisation:
        console.print("[red]a PROVIDER token needs --organisation ODS[/]")
        return 2
    token = mint(settings, role, collaborative=args.collaborative, organisation=args.organisation, minutes=args.minutes)
    print(token)
    console.print(f"{role.lower()} token, valid {args.minutes} minutes; trusted only by a server in development mode "
                  f"(COLLAB_ENV=development) sharing this data folder ({settings.data_dir})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="collab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--seed", action="store_true", help="load reference and demo data at start")
    serve.set_defaults(run=cmd_serve)

    db = commands.add_parser("db", help="run the local ArcadeDB server on its own")
    db.add_argument("action", choices=["start", "stop", "status"])
    db.set_defaults(run=cmd_db)

    schema = commands.add_parser("schema", help="graph constraints and indexes")
    schema.add_argument("action", choices=["apply"])
    schema.set_defaults(run=cmd_schema_apply)

    seed = commands.add_parser("seed", help="load reference data and the demo network (idempotent)")
    seed.add_argument("--no-demo", action="store_true", help="reference data only")
    seed.set_defaults(run=cmd_seed)

    qart = commands.add_parser("qart", help="the quarterly adoption return workbook")
    qart_commands = qart.add_subparsers(dest="qart_command", required=True)
    read = qart_commands.add_parser("import", help="read a returned workbook into the graph")
    read.add_argument("file")
    read.add_argument("--quarter", help="e.g. '2025/26 Q1' (default: from the file name)")
    read.add_argument("--collaborative", help="reject rows of trusts outside this collaborative")
    read.add_argument("--intervention", default="marthas-rule")
    read.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    read.add_argument("--json", action="store_true", help="print the summary as JSON")
    read.set_defaults(run=cmd_qart_import)
    write = qart_commands.add_parser("export", help="write the workbook for a collaborative")
    write.add_argument("--collaborative", required=True)
    write.add_argument("--quarter", required=True)
    write.add_argument("--out", required=True)
    write.add_argument("--prefill", action="store_true", help="fill in last quarter's stages")
    write.add_argument("--intervention", default="marthas-rule")
    write.set_defaults(run=cmd_qart_export)

    report = commands.add_parser("report", help="pictures of spread")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    spread = report_commands.add_parser("spread", help="an intervention's spread, as .html, .png or .svg")
    spread.add_argument("--intervention", required=True)
    spread.add_argument("--out", required=True, help="FILE.html, FILE.png or FILE.svg")
    spread.add_argument("--quarter", help="default: the latest with data")
    spread.add_argument("--component")
    spread.add_argument("--care-setting", dest="care_setting")
    spread.add_argument("--phase", type=int)
    spread.set_defaults(run=cmd_report_spread)

    token = commands.add_parser("token", help="mint a development token (trusted only in development mode)")
    token.add_argument("--role", required=True, choices=["NATIONAL", "LEAD", "PROVIDER", "national", "lead", "provider"])
    token.add_argument("--collaborative", help="a LEAD's collaborative code")
    token.add_argument("--organisation", help="a PROVIDER's ODS code")
    token.add_argument("--minutes", type=int, default=60)
    token.set_defaults(run=cmd_token)

    sdl = commands.add_parser("sdl", help="print or write the GraphQL SDL")
    sdl.add_argument("--out", help="write to this file")
    sdl.set_defaults(run=cmd_sdl)
    return parser


def main(argv: list[str] | None = None) -> int:
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
