"""`collab ods import DIR`: real organisations from the national ODS data files.

Trusts, then trust sites (under their parent trust), GP practices (in the ICB of their
commissioner) and care homes are created or updated by ODS code, then mergers are linked
from the successor file. Each batch is its own transaction and every write is an upsert, so
an interrupted load is finished by running it again, and a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain import postcodes
from collab_api.graph import ods as ods_graph
from collab_api.ods_files.reader import OdsOrganisation, Skipped, read_directory
from collab_api.progress import QUIET, Steps

BATCH = 500


class OdsImportRefused(ValueError):
    """Nothing was loaded, and why."""


@dataclass
class OdsSummary:
    directory: str
    files: list[str]
    not_found: list[str]
    organisations: dict[str, int] = field(default_factory=dict)  # per file
    without_icb: int = 0
    successions: int = 0
    successions_skipped: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"directory": self.directory, "files": self.files, "notFound": self.not_found,
                "organisations": self.organisations, "withoutIcb": self.without_icb,
                "successions": {"linked": self.successions, "skipped": self.successions_skipped},
                "skipped": [{"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped]}


def _row(organisation: OdsOrganisation, icbs: dict[str, str]) -> dict[str, Any]:
    icb = next((icbs[code] for code in organisation.icbCodes if code in icbs), None)
    return {"odsCode": organisation.odsCode, "name": organisation.name, "kind": organisation.kind,
            "careSettings": organisation.careSettings, "postcode": organisation.postcode, "openedOn": organisation.openedOn,
            "closedOn": organisation.closedOn, "status": organisation.status, "icb": icb, "trust": organisation.trust}


async def import_ods(graph: Graph, directory: Path | str, *, progress: Steps | None = None) -> OdsSummary:
    progress = progress or QUIET
    folder = Path(directory)
    if not folder.is_dir():
        raise OdsImportRefused(f"{folder} is not a directory")
    read = read_directory(folder)
    if not read.organisations and not read.successions:
        raise OdsImportRefused(f"{folder} holds none of the ODS files etr.csv, ets.csv, epraccur.csv, ecarehomesite.csv, succ.csv")
    summary = OdsSummary(str(folder), read.files, read.not_found, skipped=list(read.skipped))
    icbs = await ods_graph.icb_codes(graph)
    for name, organisations in read.organisations.items():
        rows = postcodes.with_points([_row(organisation, icbs) for organisation in organisations])
        summary.without_icb += sum(1 for row in rows if row["icb"] is None and row["trust"] is None)
        with progress.step(f"loading {name}", len(rows), "organisations") as advance:
            for start in range(0, len(rows), BATCH):
                await ods_graph.upsert_organisations(graph, rows[start:start + BATCH])
                advance(len(rows[start:start + BATCH]))
        summary.organisations[name] = len(rows)
    successions = [{"predecessor": s.predecessor, "successor": s.successor, "date": s.date} for s in read.successions]
    with progress.step("linking successors", len(successions), "successions") as advance:
        for start in range(0, len(successions), BATCH):
            summary.successions += await ods_graph.upsert_successions(graph, successions[start:start + BATCH])
            advance(len(successions[start:start + BATCH]))
    summary.successions_skipped = len(successions) - summary.successions
    return summary
