"""What each `collab` command does."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import neo4j
from rich.console import Console

from collab_api.config import Settings
from collab_api.progress import Steps
from collab_api.db.local_server import LocalServerError
from collab_api.db.runtime import Connection, DatabaseConfigError, local_server, open_database

console = Console(stderr=True)


def with_database(settings: Settings, work: Callable[[Connection], Awaitable[Any]]) -> Any:
    """Run `work` on the database, starting the local one first if need be (open_database
    says so while it waits)."""

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
    from collab_api.telemetry import configure_logging

    from collab_api.config import UnsafeSettings

    try:
        settings.refuse_unsafe()
    except UnsafeSettings as exc:
        console.print(f"[red]not starting:[/] {exc}")
        return 2
    workers = args.workers or settings.workers
    mode = "development" if settings.development else "production"
    with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            console.print(f"[red]cannot serve on {args.host}:{args.port}:[/] {exc.strerror or exc}; "
                          "stop what uses that port or choose another with --port")
            return 2
    console.print(f"[bold]collab[/] serving on http://{args.host}:{args.port}/ (pages) and /graphql ({mode} mode"
                  f"{f', {workers} workers' if workers > 1 else ''})")
    configure_logging(settings.json_logs)
    if workers == 1:
        uvicorn.run(create_app(settings, seed=args.seed), host=args.host, port=args.port, log_config=None, access_log=False,
                    proxy_headers=False)  # the app applies COLLAB_FORWARDED_ALLOW_IPS itself
        return 0
    return _serve_workers(args, settings, workers)


def _serve_workers(args: argparse.Namespace, settings: Settings, workers: int) -> int:
    """Several worker processes behind one port (uvicorn's process manager replaces one that
    dies). This process does the once-only work first: starts the local database (and stops
    it at the end), applies the schema, seeds, and makes the session secret; the workers then
    skip the schema and add up their metrics in PROMETHEUS_MULTIPROC_DIR."""
    import shutil

    import uvicorn

    from collab_api.app import warn_at_start
    from collab_api.graph.schema_ops import apply_schema
    from collab_api.web.routes import session_secret

    server = local_server(settings) if settings.uses_local_server else None
    started = server.start(settings.local_start_timeout) if server is not None else False

    async def prepare(connection: Connection) -> None:
        if settings.apply_schema:
            await apply_schema(connection)
        if args.seed:
            from graph_seed.load import load_all

            await load_all(connection.graph)

    metrics_dir = settings.data_dir.resolve() / "metrics"
    try:
        with_database(settings, prepare)
        warn_at_start(settings, seeded_demo=args.seed)
        session_secret(settings)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ.update(COLLAB_APPLY_SCHEMA="false", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
        uvicorn.run("collab_api.app:worker_app", factory=True, workers=workers, host=args.host, port=args.port,
                    log_config=None, access_log=False, proxy_headers=False)
    finally:
        if server is not None and started:
            server.stop()
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
        if (supervisor := server.supervisor()) is not None:
            console.print(f"[red]not stopped:[/] the local database is kept running by `collab serve` (process {supervisor}), "
                          "which would start it again at once; stop that (Ctrl-C in its terminal, or "
                          f"`kill {supervisor}`), and it stops the database too")
            return 1
        console.print("stopped" if server.stop() else "not running")
    else:
        status = server.status()
        console.print(status.describe())
        return 0 if status.running else 3
    return 0


def cmd_schema_apply(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.graph.schema_ops import apply_schema

    applied = with_database(settings, apply_schema)
    console.print(f"schema applied: {len(applied)} statements")
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.graph.schema_ops import apply_schema
    from collab_api.graph.seed import count_by_label
    from graph_seed.load import load_all

    async def work(connection: Connection) -> dict[str, int]:
        await apply_schema(connection)
        if args.scale != "demo":
            from graph_seed.load_national import load_national

            written = await load_national(connection.graph, args.scale)
            console.print(f"synthetic {args.scale} network: {written}", highlight=False)
        else:
            await load_all(connection.graph, with_demo=not args.no_demo)
        return await count_by_label(connection.graph)

    counts = with_database(settings, work)
    console.print("seeded; nodes by label: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    """One pass of the mail worker: this week's summaries once the week is over, and every
    e-mail due (for a schedule, when `collab serve` runs with COLLAB_MAIL_INTERVAL=0)."""
    from collab_api.mail.worker import deliver_once
    from collab_api.web.routes import session_secret

    counts = with_database(settings, lambda connection: deliver_once(connection.graph, settings, session_secret(settings)))
    if counts is None:
        console.print("no mail sent: set COLLAB_SMTP_HOST (in production nothing is written to a folder)")
        return 1
    console.print(f"weekly summaries made: {counts['digests']}; e-mails sent: {counts['sent']}; to try again later: {counts['retry']}")
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

    path = Path(args.file)
    if not path.is_file() or not os.access(path, os.R_OK):
        console.print(f"[red]cannot read {path}:[/] {'no such file' if not path.exists() else 'not a readable file'}")
        return 2

    async def work(connection: Connection) -> Any:
        return await import_return(connection.graph, path, actor=cli_actor(), quarter=args.quarter,
                                   collaborative=args.collaborative,
                                   intervention=args.intervention, dry_run=args.dry_run, progress=progress,
                                   confirm=args.confirm)

    try:
        with Steps() as progress:
            summary = with_database(settings, work)
    except ImportRefused as refused:
        message = str(refused)
        if refused.field == "quarter" and not args.quarter:
            message = message.replace("give the reporting quarter", "give the reporting quarter with --quarter", 1)
        if args.json:
            print(json.dumps({"refused": message}))
        console.print(f"[red]refused:[/] {message}", highlight=False)
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
    if summary["sheetsNotRead"]:
        out.print(f"other sheets present, not read: {', '.join(summary['sheetsNotRead'])}")
    rows, cells, obs = summary["rows"], summary["cells"], summary["observations"]
    out.print(f"rows: {rows['read']} read, {rows['accepted']} accepted, {rows['rejected']} rejected; "
              f"cells: {cells['read']} read, {cells['accepted']} accepted, {cells['rejected']} rejected; "
              f"observations: {obs['created']} new, {obs['unchanged']} unchanged, {obs['corrected']} corrected")
    for site in summary["sitesCreated"]:
        out.print(f"new site {site['site']} created under trust {site['trust']} ({site['sheet']} row {site['row']})")
    for site in summary["sitesMoved"]:
        out.print(f"site {site['site']} moved from trust {site['fromTrust']} to {site['trust']}, which it merged into "
                  f"({site['sheet']} row {site['row']})")
    if summary["rejections"]:
        table = Table("sheet", "cell", "value", "reason", title="Rejected")
        for rejection in summary["rejections"]:
            table.add_row(rejection["sheet"], rejection["cell"], rejection["value"] or "", rejection["reason"])
        out.print(table)


def cmd_ods_import(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from collab_api.usecases.ods_import import OdsImportRefused, import_ods

    async def work(connection: Connection) -> Any:
        return await import_ods(connection.graph, args.directory, progress=progress)

    try:
        with Steps() as progress:
            summary = with_database(settings, work).as_dict()
    except OdsImportRefused as refused:
        console.print(f"[red]refused:[/] {refused}", highlight=False)
        return 1
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    loaded = ", ".join(f"{count} from {name}" for name, count in summary["organisations"].items()) or "none"
    console.print(f"organisations created or updated: {loaded}; mergers linked: {summary['successions']['linked']}"
                  f" ({summary['successions']['skipped']} between organisations the platform does not have)", highlight=False)
    if summary["notFound"]:
        console.print(f"not in the folder: {', '.join(summary['notFound'])}", highlight=False)
    if summary["withoutIcb"]:
        console.print(f"[yellow]{summary['withoutIcb']} organisations have no ICB the platform knows[/]", highlight=False)
    for skipped in summary["skipped"][:50]:
        console.print(f"skipped {skipped['file']} line {skipped['line']}: {skipped['reason']}", highlight=False)
    if len(summary["skipped"]) > 50:
        console.print(f"... and {len(summary['skipped']) - 50} more rows skipped (--json lists them all)")
    return 0


def cmd_qart_export(args: argparse.Namespace, settings: Settings) -> int:
    from collab_api.usecases.qart_export import ExportError, export_return

    async def work(connection: Connection) -> Any:
        return await export_return(connection.graph, args.collaborative, args.quarter, Path(args.out),
                                   prefill=args.prefill, intervention=args.intervention)

    try:
        result = with_database(settings, work)
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
        intervention, report = with_database(settings, work)
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

    from graph_seed.reference import collaboratives

    role = args.role.upper()
    if role == "LEAD" and not args.collaborative:
        console.print("[red]a LEAD token needs --collaborative CODE[/]")
        return 2
    if role == "PROVIDER" and not args.organisation:
        console.print("[red]a PROVIDER token needs --organisation ODS[/]")
        return 2
    codes = sorted(c["code"] for c in collaboratives())
    collaborative = args.collaborative.strip().upper() if args.collaborative else None
    if collaborative and collaborative not in codes:
        console.print(f"[red]no collaborative has the code '{collaborative}';[/] the codes are {', '.join(codes)}")
        return 2
    organisation = args.organisation.strip().upper() if args.organisation else None
    if organisation:
        from collab_api.graph.organisations import by_codes

        async def known(connection: Connection) -> bool:
            return organisation in await by_codes(connection.graph, [organisation])

        if not with_database(settings, known):
            console.print(f"[red]no organisation has the ODS code '{organisation}'[/]")
            return 2
    token = mint(settings, role, collaborative=collaborative, organisation=organisation, minutes=args.minutes)
    print(token)
    console.print(f"{role.lower()} token, valid {args.minutes} minutes; trusted only by a server in development mode "
                  f"(COLLAB_ENV=development) sharing this data folder ({settings.data_dir})")
    return 0


