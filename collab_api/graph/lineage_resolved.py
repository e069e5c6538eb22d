"""Work kept in parts for the readers after the first, never stale: each intervention's resolved
lineage (domain/lineage_views.py) as `LineageResolved {key, intervention, part, stamp, data}`, so
that its pages read the regions reached and one level of the tree (a few kilobytes), not every
adopter's facts; and its quarterly reports (domain/quarterly_report.py) as `ReportResolved`, so
that a report's page reads its counts and the page of each list it shows, not the quarter's cells.

Never stale, by its stamp: every write of the facts a kind of part is worked out from gives the
intervention a new version (the lineage: graph/lineage_kept.py `_write` sets `lineageVersion`;
the reports: every write of the tallies takes the intervention's lock, which sets `tallyWrite`,
graph/tally_keeping.py), in the writer's transaction; a part is used only when it was worked out
from that version (and from whatever else its stamp names) as it stands now. Otherwise the reader
works it out from the facts and keeps the parts for the readers after it: `store` writes them only
if the version it read before the facts is still the current one, so a part is never stamped with
a version newer than what it was worked out from.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from collab_api.db.graph import DatabaseUnavailable, Graph, Runner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartsKind:
    label: str  # the label the parts are kept on
    version: str  # the intervention's property that every write of their facts changes


LINEAGE = PartsKind("LineageResolved", "lineageVersion")
REPORTS = PartsKind("ReportResolved", "tallyWrite")


class ResolvedPart(TypedDict):
    version: str | None  # the intervention's lineage version now
    stamp: str | None  # what the part was resolved from (None: no part kept)
    data: str | None


async def parts_of(runner: Runner, keys: Sequence[str], kind: PartsKind = LINEAGE) -> dict[str, ResolvedPart]:
    """Per "intervention|part" key: the part as kept, with the intervention's version now (read in
    the same statement, before any facts the caller then reads)."""
    rows = await runner.read(f"""
        UNWIND $keys AS key
        MATCH (i:Intervention {{id: key[0]}})
        OPTIONAL MATCH (r:{kind.label} {{key: key[1]}})
        RETURN key[1] AS key, i.{kind.version} AS version, r.stamp AS stamp, r.data AS data""",
        {"keys": [[key.rsplit("|", 1)[0], key] for key in keys]})
    return {str(row["key"]): ResolvedPart(version=row["version"], stamp=row["stamp"], data=row["data"]) for row in rows}


async def store(graph: Graph, intervention: str, version: str | None, stamp: str, parts: dict[str, str],
                kind: PartsKind = LINEAGE) -> bool:
    """Keep these parts, stamped, if the intervention's version is still `version` (read before
    the facts they were resolved from). Every part is written, empty ones too, so none of an older
    resolution is left to be taken for stale. Not a
    change of data (it shows what the facts show), so it does not advance the data version.
    Failing to keep them is not the reader's failure: the next reader resolves again."""
    rows = [{"key": f"{intervention}|{name}", "part": name, "data": data} for name, data in sorted(parts.items())]
    try:
        written = await graph.write(f"""
            MATCH (i:Intervention {{id: $id}}) WHERE coalesce(i.{kind.version}, '') = $version
            UNWIND $rows AS row
            MERGE (r:{kind.label} {{key: row.key}})
            ON CREATE SET r.intervention = $id, r.part = row.part
            SET r.stamp = $stamp, r.data = row.data
            RETURN count(r) AS n""", {"id": intervention, "version": version or "", "stamp": stamp, "rows": rows},
            advance=False)
    except DatabaseUnavailable as exc:  # busy (another reader keeping the same parts) or not answering
        log.info("the %s parts of %s were not kept (%s): they are worked out again when next read", kind.label, intervention, exc)
        return False
    return bool(written and written[0]["n"])
