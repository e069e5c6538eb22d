"""The lists of a quarterly report read from its kept parts (usecases/spread_reporting.py
`KeptReport`): a page reads the chunks holding its rows, all the lists a request asks for in one
wave. A chunk kept under another stamp than the report's counts (the parts were kept again
between the two reads) is never mixed with them: the report is then worked out whole, once for
the request, and the page taken from it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from collab_api.api.context import context_of
from collab_api.domain import report_parts
from collab_api.domain.quarters import Quarter
from collab_api.graph import lineage_resolved as parts_graph
from collab_api.usecases.spread_reporting import KeptReport, build_quarterly_report


async def kept_lengths(report: dict[str, Any]) -> dict[str, Any]:
    """Each list of sites, or (for a report read from its parts) the range of its positions: what
    the counts are the lengths of."""
    kept: KeptReport | None = report.get("keptReport")
    return report if kept is None else {name: range(length) for name, length in kept.lengths.items()}


async def kept_page(report: dict[str, Any], info: Any, name: str, first: int, offset: int) -> list[Any]:
    """Rows offset .. offset + first - 1 of the list `name` of a report read from its parts."""
    kept: KeptReport = report["keptReport"]
    numbers = report_parts.chunks_for(kept.lengths[name], first, offset)
    if not numbers:
        return []
    loader = context_of(info).loaders.keyed(parts_graph.parts_of, kind=parts_graph.REPORTS)
    found = await loader.load_many([kept.key(f"{name}.{number}") for number in numbers])
    if all(part and part["stamp"] == kept.stamp and part["data"] is not None for part in found):
        return report_parts.page_from_chunks({number: json.loads(part["data"]) for number, part in zip(numbers, found)},
                                             first, offset)
    whole = await _worked_out_whole(kept, info)
    return list(whole[name][offset:offset + first])


async def _worked_out_whole(kept: KeptReport, info: Any) -> dict[str, Any]:
    context = context_of(info)
    key = ("quarterlyReportWhole", kept.key("summary"))
    if key not in context.worked_out:  # a task: the lists of one request share it
        context.worked_out[key] = asyncio.ensure_future(build_quarterly_report(
            context.graph, kept.intervention, context.visibility, quarter=Quarter.from_index(kept.quarter_index).label,
            at_or_below=kept.at_or_below, kept=False))
    whole: dict[str, Any] = await context.worked_out[key]
    return whole
