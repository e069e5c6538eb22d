"""An intervention's lineage as its fields read it: a kept part (graph/lineage_resolved.py) when
it was resolved from the facts and origin as they stand, otherwise resolved here from the kept
facts, once per request, and kept for the readers after (see that module for why a part is never
stale). The whole tree, asked by an API client without `under`, is always resolved from the facts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

from collab_api.api.context import context_of
from collab_api.domain import lineage_views as views
from collab_api.domain.lineage import Adopter, Lineage
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import lineage_kept, lineage_resolved

T = TypeVar("T")


async def lineage(intervention: dict[str, Any], info: Any) -> Lineage:
    """The intervention's lineage resolved from its kept facts, once per request."""
    return (await _resolution(intervention, info))[0]


async def _resolution(intervention: dict[str, Any], info: Any) -> tuple[Lineage, list[Any]]:
    context = context_of(info)
    key = ("lineage", intervention["id"])
    if key not in context.worked_out:  # a task: the fields of one request that ask at once share it
        context.worked_out[key] = asyncio.ensure_future(_resolve(intervention, info))
    resolved: tuple[Lineage, list[Any]] = await context.worked_out[key]
    return resolved


async def _resolve(intervention: dict[str, Any], info: Any) -> tuple[Lineage, list[Any]]:
    loaders = context_of(info).loaders
    origin, rows = await asyncio.gather(
        loaders.keyed(adoption_graph.lineage_origins, dict).load(intervention["id"]),
        loaders.keyed(lineage_kept.rows_of, list).load(intervention["id"]))  # the kept facts
    return Lineage.from_rows(origin, rows), rows


async def part(intervention: dict[str, Any], info: Any, name: str) -> str:
    """One part's text, as kept if current, else from the lineage resolved now (and kept)."""
    context = context_of(info)
    loaders = context.loaders
    origin, kept = await asyncio.gather(
        loaders.keyed(adoption_graph.lineage_origins, dict).load(intervention["id"]),
        loaders.keyed(lineage_resolved.parts_of).load(f"{intervention['id']}|{name}"))
    version = kept["version"] if kept else None
    stamp = views.stamp_of(version, origin)
    if kept and kept["stamp"] == stamp and kept["data"] is not None:
        return kept["data"]
    key = ("lineageParts", intervention["id"])
    if key not in context.worked_out:
        context.worked_out[key] = asyncio.ensure_future(_kept_anew(intervention, info, version, stamp))
    parts: dict[str, str] = await context.worked_out[key]
    return parts[name]


async def _kept_anew(intervention: dict[str, Any], info: Any, version: str | None, stamp: str) -> dict[str, str]:
    """Every part resolved from facts read after `version` was (so they are that version's or
    later), and kept under it: if the facts moved on meanwhile, `store` keeps nothing."""
    fresh = ("lineage", intervention["id"]) not in context_of(info).worked_out
    resolved, rows = await _resolution(intervention, info)
    parts = views.parts_of(resolved, rows)
    if fresh:  # facts read earlier in the request might predate the version: not kept under it
        await lineage_resolved.store(context_of(info).graph, intervention["id"], version, stamp, parts)
    return parts


async def _decoded(intervention: dict[str, Any], info: Any, name: str, decode: Callable[[str], T]) -> T:
    """A part decoded once per request: the fields of a page that read one part (a level and its
    count, the summary's regions and counts) share it."""
    context = context_of(info)
    key = ("lineagePart", f"{intervention['id']}|{name}")
    if key not in context.worked_out:
        text = await part(intervention, info, name)
        if key not in context.worked_out:  # another field may have decoded it meanwhile
            context.worked_out[key] = decode(text)
    decoded: T = context.worked_out[key]
    return decoded


async def summary(intervention: dict[str, Any], info: Any) -> views.LineageSummary:
    return await _decoded(intervention, info, views.SUMMARY, views.summary_of)


async def regions(intervention: dict[str, Any], info: Any) -> list[dict[str, Any]]:
    """The regions reached: from the whole lineage if the request resolves it anyway (the whole
    tree asked for), else from the kept summary."""
    if ("lineage", intervention["id"]) in context_of(info).worked_out:
        return (await lineage(intervention, info)).regions()
    return (await summary(intervention, info))["regions"]


async def level(intervention: dict[str, Any], info: Any, under: str) -> list[Adopter]:
    """The direct learners of `under` ("": the first level), each with its counts."""
    return views.level_of(await _decoded(intervention, info, views.level_part(under), json.loads), under)


async def adopters(intervention: dict[str, Any], info: Any) -> dict[str | None, list[str]]:
    return await _decoded(intervention, info, views.ADOPTERS, views.adopters_of)
