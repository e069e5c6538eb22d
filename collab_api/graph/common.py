"""Helpers shared by the graph-access modules."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar, cast, get_args, get_origin, get_type_hints, is_typeddict

from collab_api.db.graph import Graph, Runner, Row
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.permissions import DRAFT_STATUS

R = TypeVar("R")

# Map projections. ArcadeDB note: a projection nested in a map literal (`{a: n {.x}}`)
# collapses to the projection there, so queries return projections as columns of their own
# or add entries inside the projection (`n {.x, extra: m.y}`), never nest them in literals.
ORGANISATION_FIELDS = (".odsCode, .name, .kind, .careSettings, .synthetic, .status, .closedOn, .openedOn, .postcode, "
                       ".maternityAndNeonatal, .emergencyDepartment, .easting, .northing, .postcodeSynthetic")
ORGANISATION = "{" + ORGANISATION_FIELDS + "}"
COLLABORATIVE = "{.code, .name, .formerName}"
ICB = "{.name}"
PRIORITY = "{.id, .title, .harmArea, .rationale, .dateSet, .status, .retiredOn, .interventionsAll, .interventionsPublished, .firstInterventionsAll, .firstTitlesAll, .firstStatusesAll, .firstInterventionsPublished, .firstTitlesPublished, .firstStatusesPublished}"
INTERVENTION = "{.id, .title, .summary, .status, .careSettings, .harmArea, .tags, .document, .version, .synthetic, .nationalProgramme, .evidenceTypes, .evidenceStrength, .createdAt, .updatedAt}"
VERSION = "{.key, .number, .interventionId, .title, .summary, .status, .careSettings, .harmArea, .tags, .document, .createdAt, .note, .author, .authorName}"


# ONE_RECORD: a batch of hundreds of keys (a national map's sites, the overview's interventions)
# is returned as one record holding a list of [key, ...] rows, not a record per key: ArcadeDB's
# Bolt and the driver each charge for every record (about 25 µs together; measured on 539 keys,
# 14-21 ms as one record against 20-34 ms as a record each; on 845, 24-35 against 36-41 ms).

# Drafts (interventions never published beyond IDEA, retired ones included) are seen only by
# those allowed to: a predicate on `i` in every query that returns interventions or what hangs
# from them. Params: Visibility.params().
def visible(var: str) -> str:
    """The draft predicate on the intervention bound to `var` (a fixed name, never input)."""
    return f"""({'$'}seeAllDrafts OR coalesce({var}.everPublished, {var}.status <> '{DRAFT_STATUS}') OR EXISTS {{
    MATCH ({var})-[:ORIGINATED_IN]->(vc:Collaborative) WHERE vc.code IN {'$'}draftCollaboratives }})"""


VISIBLE = visible("i")


def phase_history(var: str) -> str:
    """The dated phase history kept on the ENROLLED relationship bound to `var` (a fixed name,
    never input), as [[from quarter index, phase], ...]; [] when it has none or is null."""
    return f"[k IN range(0, size(coalesce({var}.phaseQuarters, [])) - 1) | [{var}.phaseQuarters[k], {var}.phases[k]]]"


class RowShapeError(RuntimeError):
    """A query returned a row that is not the shape its type declares: a bug, never input."""


@cache
def _fields(kind: type) -> dict[str, tuple[bool, type | None, bool]]:
    """Per key: may it be null, the TypedDict it holds (if any), and whether as a list of them."""
    fields: dict[str, tuple[bool, type | None, bool]] = {}
    for name, hint in get_type_hints(kind).items():
        arguments = get_args(hint)
        optional = type(None) in arguments
        inner = next((a for a in arguments if a is not type(None)), hint) if optional else hint
        if is_typeddict(inner):
            fields[name] = (optional, inner, False)
        elif get_origin(inner) is list and get_args(inner) and is_typeddict(get_args(inner)[0]):
            fields[name] = (optional, get_args(inner)[0], True)
        else:
            fields[name] = (optional, None, False)
    return fields


def shaped(kind: type[R], row: Mapping[str, Any]) -> R:
    """The row as `kind` (a TypedDict), its keys checked all the way down: a key the type does
    not declare, or a missing one that may not be null, is a RowShapeError. A missing key that
    may be null (a property the node does not have) becomes None."""
    fields = _fields(cast(type, kind))
    extra = set(row) - set(fields)
    if extra:
        raise RowShapeError(f"{kind.__name__}: unexpected {sorted(extra)}")
    built: dict[str, Any] = {}
    for name, (optional, inner, many) in fields.items():
        value = row.get(name)
        if value is None:
            if name not in row and not optional:
                raise RowShapeError(f"{kind.__name__}: missing {name!r}")
            built[name] = None
        elif inner is None:
            built[name] = value
        elif many:
            built[name] = [shaped(inner, item) for item in value]
        else:
            built[name] = shaped(inner, value)
    return cast(R, built)


def shaped_all(shape: type[R], rows: Sequence[Mapping[str, Any]]) -> list[R]:
    return [shaped(shape, row) for row in rows]


def collected(records: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The rows of a ONE_RECORD query (`RETURN collect([key, ...]) AS rows`)."""
    return list(records[0]["rows"]) if records else []


async def keyed_collected(graph: Graph, query: str, keys: Sequence[Hashable], shape: type[R], **params: Any) -> dict[Any, R]:
    """As keyed_rows, for a query of the ONE_RECORD shape: `RETURN collect([key, value]) AS rows`."""
    records = await graph.read(query, {"keys": list(keys), **params})
    return {key: shaped(shape, value) for key, value in collected(records) if value is not None}


async def keyed_rows(graph: Graph, query: str, keys: Sequence[Hashable], shape: type[R], **params: Any) -> dict[Any, R]:
    """A batch query returning `key` and `value`, one row map per key."""
    rows = await graph.read(query, {"keys": list(keys), **params})
    return {row["key"]: shaped(shape, row["value"]) for row in rows if row["value"] is not None}


async def keyed_lists(graph: Runner, query: str, keys: Sequence[Hashable], shape: type[R], **params: Any) -> dict[Any, list[R]]:
    """A batch query returning `key` and `value`, a list of row maps per key."""
    rows = await graph.read(query, {"keys": list(keys), **params})
    return {row["key"]: shaped_all(shape, row["value"]) for row in rows}


async def keyed_columns(graph: Graph, query: str, keys: Sequence[Hashable], shape: type[R], **params: Any) -> dict[Any, R]:
    """A batch query returning `key` and several columns, which make the row."""
    rows = await graph.read(query, {"keys": list(keys), **params})
    return {row["key"]: shaped(shape, {k: v for k, v in row.items() if k != "key"}) for row in rows}


async def keyed_values(graph: Graph, query: str, keys: Sequence[Hashable], **params: Any) -> dict[Any, Any]:
    """A batch query returning `key` and a plain `value` (a string, a number)."""
    rows = await graph.read(query, {"keys": list(keys), **params})
    return {row["key"]: row["value"] for row in rows}


async def page(graph: Graph, query: str, request: PageRequest, key_field: str, shape: type[R], **params: Any) -> Page[R]:
    """Run a page query returning one row with `rows`, `total` and `before`."""
    row = (await graph.read(query, {"after": request.after, "fetch": request.fetch, **params}))[0]
    return Page.from_rows(shaped_all(shape, row["rows"]), row["total"], row["before"], request, key_field)


async def keyed_pages(
    graph: Graph, query: str, keys: Sequence[Hashable], request: PageRequest, key_field: str, shape: type[R], **params: Any
) -> dict[Any, Page[R]]:
    """One query for the same page of many parents: rows of (key, rows, total, before)."""
    result = await graph.read(query, {"keys": list(keys), "after": request.after, "fetch": request.fetch, **params})
    return {row["key"]: Page.from_rows(shaped_all(shape, row["rows"]), row["total"], row["before"], request, key_field)
            for row in result}
