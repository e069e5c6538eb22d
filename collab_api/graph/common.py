"""Helpers shared by the graph-access modules."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from collab_api.db.graph import Graph, Row
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.permissions import DRAFT_STATUS

# Map projections. ArcadeDB note: a projection nested in a map literal (`{a: n {.x}}`)
# collapses to the projection there, so queries return projections as columns of their own
# or add entries inside the projection (`n {.x, extra: m.y}`), never nest them in literals.
ORGANISATION_FIELDS = ".odsCode, .name, .kind, .careSettings, .synthetic, .status, .closedOn"
ORGANISATION = "{" + ORGANISATION_FIELDS + "}"
COLLABORATIVE = "{.code, .name, .formerName}"
ICB = "{.name}"
PRIORITY = "{.id, .title, .harmArea, .rationale, .dateSet, .status, .retiredOn}"
INTERVENTION = "{.id, .title, .summary, .status, .careSettings, .harmArea, .tags, .document, .version, .synthetic, .evidenceTypes, .evidenceStrength, .createdAt, .updatedAt}"
VERSION = "{.key, .number, .interventionId, .title, .summary, .status, .careSettings, .harmArea, .tags, .document, .createdAt, .note, .author}"


# Drafts (interventions still at IDEA) are seen only by those allowed to: a predicate on `i`
# in every query that returns interventions or what hangs from them. Params: Visibility.params().
VISIBLE = f"""($seeAllDrafts OR i.status <> '{DRAFT_STATUS}' OR EXISTS {{
    MATCH (i)-[:ORIGINATED_IN]->(vc:Collaborative) WHERE vc.code IN $draftCollaboratives }})"""


async def keyed(graph: Graph, query: str, keys: Sequence[Hashable], **params: Any) -> dict[Any, Any]:
    """Run a batch query that returns rows of `key` and `value` (or of `key` and several
    columns, which become the value's entries); map each key to its value."""
    rows = await graph.read(query, {"keys": list(keys), **params})
    return {
        row["key"]: row["value"] if "value" in row else {k: v for k, v in row.items() if k != "key"}
        for row in rows
    }


async def page(graph: Graph, query: str, request: PageRequest, key_field: str, **params: Any) -> Page[Row]:
    """Run a page query returning one row with `rows`, `total` and `before`."""
    row = (await graph.read(query, {"after": request.after, "fetch": request.fetch, **params}))[0]
    return Page.from_rows(row["rows"], row["total"], row["before"], request, key_field)


async def keyed_pages(
    graph: Graph, query: str, keys: Sequence[Hashable], request: PageRequest, key_field: str, **params: Any
) -> dict[Any, Page[Row]]:
    """One query for the same page of many parents: rows of (key, rows, total, before)."""
    result = await graph.read(query, {"keys": list(keys), "after": request.after, "fetch": request.fetch, **params})
    return {row["key"]: Page.from_rows(row["rows"], row["total"], row["before"], request, key_field) for row in result}
