"""Exporting a collaborative's quarterly return workbook, optionally pre-filled."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from collab_api.db.graph import Graph
from collab_api.domain.permissions import Actor, Forbidden, Role, require_signed_in
from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import ReturnUploadRow
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import qart as qart_graph
from collab_api.graph import returns as returns_graph
from collab_api.graph import spread as spread_graph
from collab_api.qart.writer import ExportError, sheet_sites, write_workbook

__all__ = ["ExportError", "Workbook", "export_return", "past_uploads", "workbook_for"]


@dataclass(frozen=True)
class Workbook:
    filename: str
    content: bytes
    sites: int
    prefilled_cells: int


async def export_return(graph: Graph, collaborative: str, quarter: str, out: Path | str | BinaryIO, *, prefill: bool = False,
                        intervention: str = "marthas-rule") -> dict[str, Any]:
    """Write the workbook to a file; with `prefill`, each site's latest answer for each cell from
    any quarter before this one (a note on the cell says which)."""
    reporting = Quarter.parse(quarter)
    code = collaborative.strip().upper()
    source = f"each site's latest answer before {reporting.label}" if prefill else None
    sites = await qart_graph.workbook_rows(graph, code, intervention, reporting.index if prefill else None)
    if not sites and not await collaborative_graph.by_codes(graph, [code]):
        raise ExportError(f"no collaborative has the code '{code[:20]}'")
    names = await spread_graph.components(graph, intervention) if sites else {}
    icbs = await qart_graph.workbook_icbs(graph, code) if sites else []
    filled = write_workbook(sites, icbs, names, code, reporting, out, prefill=prefill)
    listed = sheet_sites(sites, code)
    return {"file": str(out), "collaborative": code, "quarter": reporting.label, "sites": len({site["siteCode"] for rows in listed.values() for site in rows}),
            "sheets": {name: len(rows) for name, rows in listed.items()},
            "prefilledFrom": source, "prefilledCells": filled}


async def workbook_for(graph: Graph, actor: Actor, collaborative: str, quarter: str, *, prefill: bool,
                       intervention: str = "marthas-rule") -> Workbook:
    """The workbook as bytes, for the national team or the collaborative's own lead (it lists
    the collaborative's sites and, pre-filled, what each reported)."""
    require_signed_in(actor, "download quarterly return workbooks")
    code = collaborative.strip().upper()
    if actor.role == Role.PROVIDER or (actor.role == Role.LEAD and actor.collaborative != code):
        raise Forbidden("only the collaborative's lead or the national team may download its return workbook")
    buffer = io.BytesIO()
    info = await export_return(graph, code, quarter, buffer, prefill=prefill, intervention=intervention)
    label = info["quarter"].replace("/", "-")
    return Workbook(f"{code} {label} QART{' prefilled' if prefill else ''}.xlsx", buffer.getvalue(), info["sites"],
                    info["prefilledCells"])


async def past_uploads(graph: Graph, actor: Actor, collaborative: str | None, limit: int = 50) -> list[ReturnUploadRow]:
    """The uploads of a collaborative's returns, newest first: for its lead and the national team
    (who may list every collaborative's with None)."""
    require_signed_in(actor, "list the returns uploaded")
    code = (collaborative or "").strip().upper() or None
    if actor.role == Role.PROVIDER or (actor.role == Role.LEAD and code not in (None, actor.collaborative)):
        raise Forbidden("only the collaborative's lead or the national team may list its uploaded returns")
    if actor.role == Role.LEAD:
        code = actor.collaborative
    return await returns_graph.uploads(graph, code, max(1, min(limit, 200)))
