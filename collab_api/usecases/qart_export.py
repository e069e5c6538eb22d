"""Exporting a collaborative's quarterly return workbook, optionally pre-filled."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from collab_api.db.graph import Graph
from collab_api.domain.permissions import SYSTEM, Actor, Forbidden, Role, Visibility, require_signed_in, visibility
from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import ReturnUploadRow
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import qart as qart_graph
from collab_api.graph import returns as returns_graph
from collab_api.qart.layout import MARTHAS_RULE_ID, ReturnLayout, layout_for
from collab_api.qart.writer import ExportError, write_organisations_workbook, write_workbook



class UnknownIntervention(ExportError):
    """No intervention the person may see has the id asked for."""


NATIONAL_VIEW = visibility(SYSTEM)  # the command line's

__all__ = ["ExportError", "UnknownIntervention", "Workbook", "export_return", "past_uploads", "workbook_for"]


@dataclass(frozen=True)
class Workbook:
    filename: str
    content: bytes
    sites: int
    prefilled_cells: int


async def return_layout(graph: Graph, intervention: str, viewer: Visibility) -> tuple[ReturnLayout, dict[str, str]]:
    """The layout of an intervention's return, and its components (key to name); ExportError
    when there is no such intervention the viewer may see."""
    head = await qart_graph.return_head(graph, intervention, viewer)
    if head is None:
        raise UnknownIntervention(f"no intervention has the id '{intervention[:60]}'")
    names = {c["key"]: c["name"] for c in head["components"]}
    return layout_for(head["id"], head["title"], list(names.values()), head["careSettings"]), names


async def export_return(graph: Graph, collaborative: str, quarter: str, out: Path | str | BinaryIO, *, prefill: bool = False,
                        intervention: str = MARTHAS_RULE_ID, viewer: Visibility = NATIONAL_VIEW) -> dict[str, Any]:
    """Write the workbook to a file; with `prefill`, each site's latest answer for each cell from
    any quarter before this one (a note on the cell says which)."""
    reporting = Quarter.parse(quarter)
    code = collaborative.strip().upper()
    if not await collaborative_graph.by_codes(graph, [code]):
        raise ExportError(f"no collaborative has the code '{code[:20]}'")
    layout, names = await return_layout(graph, intervention, viewer)
    source = f"each {layout.row_noun}'s latest answer before {reporting.label}" if prefill else None
    before = reporting.index if prefill else None
    if layout.national:
        sites = await qart_graph.workbook_rows(graph, code, intervention, before)
        icbs = await qart_graph.workbook_icbs(graph, code) if sites else []
        filled, listed = write_workbook(sites, icbs, names, code, reporting, out, prefill=prefill)
    else:
        organisations = await qart_graph.workbook_organisations(graph, code, intervention, before)
        filled, listed = write_organisations_workbook(layout, organisations, names, code, reporting, out, prefill=prefill)
    return {"file": str(out), "collaborative": code, "quarter": reporting.label, "intervention": layout.intervention,
            "title": layout.title, "sites": len({site for rows in listed.values() for site in rows}),
            "sheets": {name: len(rows) for name, rows in listed.items()}, "prefilledFrom": source, "prefilledCells": filled}


async def workbook_for(graph: Graph, actor: Actor, collaborative: str, quarter: str, *, prefill: bool,
                       intervention: str = MARTHAS_RULE_ID) -> Workbook:
    """The workbook as bytes, for the national team or the collaborative's own lead (it lists
    the collaborative's sites and, pre-filled, what each reported)."""
    require_signed_in(actor, "download quarterly return workbooks")
    code = collaborative.strip().upper()
    if actor.role == Role.PROVIDER or (actor.role == Role.LEAD and actor.collaborative != code):
        raise Forbidden("only the collaborative's lead or the national team may download its return workbook")
    buffer = io.BytesIO()
    info = await export_return(graph, code, quarter, buffer, prefill=prefill, intervention=intervention, viewer=visibility(actor))
    label = info["quarter"].replace("/", "-")
    what = "QART" if info["intervention"] == MARTHAS_RULE_ID else f"{info['title'][:60]} return"
    return Workbook(f"{code} {label} {what}{' prefilled' if prefill else ''}.xlsx", buffer.getvalue(), info["sites"],
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
