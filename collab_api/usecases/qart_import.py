"""Importing a returned workbook: one transaction for the whole file.

Cells the importer cannot accept are reported (sheet, cell, value, reason) while the rest is
recorded; an unknown trust rejects its row; a new site of a known trust is created under it.
Importing the same file again changes nothing. A dry run does all of it and rolls back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.adoption import Observation
from collab_api.usecases.audit import audit
from collab_api.domain.permissions import Actor, Forbidden, Role, Visibility, require_signed_in, visibility
from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.rows import ObservationWrite
from collab_api.graph.adoptions import observation_row
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import qart as qart_graph
from collab_api.graph import seed as seed_graph
from collab_api.progress import QUIET, Steps
from collab_api.qart.reader import ParsedReturn, Rejection, ReturnRow, WorkbookError, read_return

DEFAULT_INTERVENTION = "marthas-rule"


class ImportRefused(ValueError):
    """The whole file was refused; nothing was imported."""


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary


@dataclass
class ImportSummary:
    file: str | None
    quarter: str
    intervention: str
    collaborative: str | None
    dry_run: bool
    sheets: list[str]
    missing_sheets: list[str]
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    cells_read: int = 0
    cells_accepted: int = 0
    cells_rejected: int = 0
    observations: dict[str, int] = field(default_factory=lambda: {"CREATED": 0, "UNCHANGED": 0, "CORRECTED": 0})
    sites_created: list[dict[str, str]] = field(default_factory=list)
    collaboratives_found: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "quarter": self.quarter, "intervention": self.intervention,
            "collaborative": self.collaborative, "dryRun": self.dry_run,
            "sheets": self.sheets, "missingSheets": self.missing_sheets,
            "rows": {"read": self.rows_read, "accepted": self.rows_accepted, "rejected": self.rows_rejected},
            "cells": {"read": self.cells_read, "accepted": self.cells_accepted, "rejected": self.cells_rejected},
            "observations": {k.lower(): v for k, v in self.observations.items()},
            "sitesCreated": self.sites_created, "collaborativesFound": self.collaboratives_found,
            "rejections": [r.as_dict() for r in self.rejections],
        }


_QUARTER_IN_NAME = re.compile(r"(\d{4})\s*[-_/ ]\s*(\d{2})\s*[-_ ]?\s*Q([1-4])", re.IGNORECASE)


def quarter_of(quarter: str | None, filename: str | None, today: dt.date) -> Quarter:
    if quarter:
        try:
            parsed = Quarter.parse(quarter)
        except QuarterError as exc:
            raise ImportRefused(str(exc)) from exc
    else:
        match = _QUARTER_IN_NAME.search(Path(filename or "").name)
        if not match:
            raise ImportRefused("give the reporting quarter (e.g. --quarter '2025/26 Q1'): the file name does not say it")
        try:
            parsed = Quarter.parse(f"{match[1]}/{match[2]} Q{match[3]}")
        except QuarterError as exc:
            raise ImportRefused(str(exc)) from exc
    if parsed.starts_on > today:
        raise ImportRefused(f"{parsed} has not started yet")
    return parsed


async def import_return(
    graph: Graph, source: bytes | Path | str, *, actor: Actor, quarter: str | None = None, collaborative: str | None = None,
    intervention: str = DEFAULT_INTERVENTION, dry_run: bool = False, filename: str | None = None,
    today: dt.date | None = None, progress: Steps | None = None,
) -> ImportSummary:
    """Import one quarterly return in one transaction. `progress` (the CLI's): report each
    phase of long imports."""
    today = today or dt.date.today()
    progress = progress or QUIET
    require_signed_in(actor, "import quarterly returns")
    if actor.role == Role.PROVIDER:
        raise Forbidden("a provider may not import a collaborative's quarterly return; its lead or the national team may")
    if actor.role == Role.LEAD:
        if collaborative and collaborative.strip().upper() != actor.collaborative:
            raise Forbidden(f"a lead of {actor.collaborative} may import only {actor.collaborative}'s returns")
        collaborative = actor.collaborative  # a lead's rows outside its collaborative are rejected
    if filename is None and isinstance(source, (str, Path)):
        filename = str(source)
    reporting = quarter_of(quarter, filename, today)
    try:
        with progress.step(f"reading {Path(filename).name if filename else 'the workbook'}", 1, "workbook") as advance:
            parsed = read_return(source)
            advance(1)
    except WorkbookError as exc:
        raise ImportRefused(str(exc)) from exc
    code = collaborative.strip().upper() if collaborative else None

    async def work(tx: Tx) -> ImportSummary:
        summary = ImportSummary(Path(filename).name if filename else None, reporting.label, intervention, code,
                                dry_run, parsed.sheets, parsed.missing_sheets, rows_read=parsed.rows_read,
                                rows_rejected=parsed.rows_rejected, rejections=list(parsed.rejections))
        sites = await _apply(tx, parsed, summary, reporting, today, visibility(actor), progress)
        if dry_run:
            raise _DryRun(summary)
        changed = summary.observations["CREATED"] + summary.observations["CORRECTED"] + len(summary.sites_created)
        if changed:
            await audit(tx, actor, "importQuarterlyReturn",
                        [("Intervention", summary.intervention), *[("Organisation", site) for site in sites]],
                        f"{summary.file or 'workbook'} {summary.quarter}: {summary.observations['CREATED']} new, "
                        f"{summary.observations['CORRECTED']} corrected, {len(summary.sites_created)} sites created")
        return summary

    try:
        return await graph.write_tx(work)
    except _DryRun as rolled_back:
        return rolled_back.summary


async def _apply(tx: Tx, parsed: ParsedReturn, summary: ImportSummary, quarter: Quarter, today: dt.date,
                 viewer: Visibility, progress: Steps) -> list[str]:
    """Check the rows against the graph and write what is accepted; returns the sites written."""
    trusts = sorted({row.trust_code for row in parsed.rows})
    sites = sorted({row.site_code for row in parsed.rows})
    context = await qart_graph.return_context(tx, summary.intervention, trusts, sites, summary.collaborative, viewer)
    if not context.get("intervention"):
        raise ImportRefused(f"no intervention has the id '{summary.intervention}'")
    if summary.collaborative and not context.get("collaborative"):
        raise ImportRefused(f"no collaborative has the code '{summary.collaborative}'")
    components = {c["name"].lower(): c["key"] for c in context["components"]}
    trust_info = {t["code"]: t for t in context["trusts"] if t}
    site_info = {s["code"]: s for s in context["sites"] if s}
    found: set[str] = set()
    new_sites: list[dict[str, Any]] = []
    phases: list[dict[str, Any]] = []
    rows: list[ObservationWrite] = []
    at = dt.datetime.now(dt.UTC).isoformat()

    for row in parsed.rows:
        reason = _row_problem(row, trust_info, site_info, summary.collaborative)
        if reason:
            summary.rows_rejected += 1
            summary.rejections.append(Rejection(row.sheet, row.where, row.site_code, reason))
            continue
        summary.rows_accepted += 1
        found.update(trust_info[row.trust_code]["collaboratives"])
        if row.site_code not in site_info and not any(s["odsCode"] == row.site_code for s in new_sites):
            trust = trust_info[row.trust_code]
            new_sites.append({"odsCode": row.site_code, "name": row.site_name or f"Site {row.site_code}", "kind": "SITE",
                              "careSettings": ["ACUTE"], "synthetic": False, "status": "ACTIVE", "closedOn": None,
                              "icb": trust["icb"], "trust": row.trust_code})
            summary.sites_created.append({"sheet": row.sheet, "row": str(row.row), "site": row.site_code, "trust": row.trust_code})
        if row.phase is not None:
            phases.append({"site": row.site_code, "phase": row.phase})
        for entry in row.entries:
            summary.cells_read += 1
            if entry.reading.problem:
                summary.cells_rejected += 1
                continue
            key = components.get(entry.column.component.lower())
            if key is None:
                summary.cells_rejected += 1
                summary.rejections.append(Rejection(row.sheet, entry.cell, entry.value,
                                                    f"{summary.intervention} has no component '{entry.column.component}'"))
                continue
            summary.cells_accepted += 1
            observation = Observation(row.site_code, summary.intervention, entry.column.component, entry.column.care_setting,
                                      quarter, entry.reading.stage, entry.reading.not_applicable, source="qart")
            rows.append(observation_row(observation, key, at=at))
    summary.collaboratives_found = sorted(found)
    if new_sites:
        await seed_graph.upsert_organisations(tx, new_sites)
    if phases:
        await qart_graph.set_phases(tx, summary.intervention, phases)
    with progress.step("writing adoption observations", len(rows), "observations") as advance:
        for start in range(0, len(rows), 500):
            for result in await adoption_graph.write_observations(tx, rows[start:start + 500]):
                summary.observations[result["outcome"]] += 1
            advance(len(rows[start:start + 500]))
    return sorted({row["organisation"] for row in rows} | {site["odsCode"] for site in new_sites})


def _row_problem(row: ReturnRow, trusts: dict[str, Any], sites: dict[str, Any], collaborative: str | None) -> str | None:
    trust = trusts.get(row.trust_code)
    if trust is None:
        return f"unknown trust code {row.trust_code}: no organisation has it"
    if trust["kind"] != "TRUST":
        return f"{row.trust_code} is not a trust"
    if collaborative and collaborative not in trust["collaboratives"]:
        return f"trust {row.trust_code} is not a member of {collaborative}"
    site = sites.get(row.site_code)
    if site is not None and site["trust"] != row.trust_code:
        owner = site["trust"] or "no trust"
        return f"site {row.site_code} belongs to {owner}, not {row.trust_code}"
    return None
