"""Each intervention's resolved lineage, kept in parts (domain/lineage_views.py) as
`LineageResolved {key, intervention, part, stamp, data}`, so that its pages read the regions
reached and one level of the tree (a few kilobytes), not every adopter's facts.

Never stale, by its stamp: every write of the lineage facts (graph/lineage_kept.py `_write`, in
the writer's transaction) gives the intervention a new `lineageVersion`; a part is used only when
it was resolved from that version and from the origin as it stands now. Otherwise the reader
resolves the lineage from the facts (as before there were parts) and keeps the parts for the
readers after it: `store` writes them only if the version it read before the facts is still the
current one, so a part is never stamped with a version newer than what it was resolved from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypedDict

from collab_api.db.graph import DatabaseUnavailable, Graph, Runner

log = logging.getLogger(__name__)


class ResolvedPart(TypedDict):
    version: str | None  # the intervention's lineage version now
    stamp: str | None  # what the part was resolved from (None: no part kept)
    data: str | None


async def parts_of(runner: Runner, keys: Sequence[str]) -> dict[str, ResolvedPart]:
    """Per "intervention|part" key: the part as kept, with the intervention's version now (read in
    the same statement, before any facts the caller then reads)."""
    rows = await runner.read("""
        UNWIND $keys AS key
        MATCH (i:Intervention {id: key[0]})
        OPTIONAL MATCH (r:LineageResolved {key: key[1]})
        RETURN key[1] AS key, i.lineageVersion AS version, r.stamp AS stamp, r.data AS data""",
        {"keys": [[key.rsplit("|", 1)[0], key] for key in keys]})
    return {str(row["key"]): ResolvedPart(version=row["version"], stamp=row["stamp"], data=row["data"]) for row in rows}


async def store(graph: Graph, intervention: str, version: str | None, stamp: str, parts: dict[str, str]) -> bool:
    """Keep these parts, stamped, if the intervention's version is still `version` (read before
    the facts they were resolved from). Every part is written, empty ones too, so none of an older
    resolution is left to be taken for stale. Not a
    change of data (it shows what the facts show), so it does not advance the data version.
    Failing to keep them is not the reader's failure: the next reader resolves again."""
    rows = [{"key": f"{intervention}|{name}", "part": name, "data": data} for name, data in sorted(parts.items())]
    try:
        written = await graph.write("""
            MATCH (i:Intervention {id: $id}) WHERE coalesce(i.lineageVersion, '') = $version
            UNWIND $rows AS row
            MERGE (r:LineageResolved {key: row.key})
            ON CREATE SET r.intervention = $id, r.part = row.part
            SET r.stamp = $stamp, r.data = row.data
            RETURN count(r) AS n""", {"id": intervention, "version": version or "", "stamp": stamp, "rows": rows},
            advance=False)
    except DatabaseUnavailable as exc:  # busy (another reader keeping the same parts) or not answering
        log.info("the resolved lineage of %s was not kept (%s): it is resolved again when next read", intervention, exc)
        return False
    return bool(written and written[0]["n"])
