"""Exporting a collaborative's quarterly return workbook, optionally pre-filled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain.quarters import Quarter
from collab_api.graph import qart as qart_graph
from collab_api.qart.writer import ExportError, write_workbook

__all__ = ["ExportError", "export_return"]


async def export_return(graph: Graph, collaborative: str, quarter: str, out: Path | str, *, prefill: bool = False,
                        intervention: str = "marthas-rule") -> dict[str, Any]:
    """Write the workbook; with `prefill`, the stages reported for the quarter before."""
    reporting = Quarter.parse(quarter)
    code = collaborative.strip().upper()
    source = reporting.previous().label if prefill else None
    sites = await qart_graph.workbook_rows(graph, code, intervention, source)
    names = await qart_graph.component_names(graph, intervention) if sites else {}
    path, filled = write_workbook(sites, names, code, reporting, out, prefill=prefill)
    return {"file": str(path), "collaborative": code, "quarter": reporting.label, "sites": len(sites),
            "prefilledFrom": source, "prefilledCells": filled}
