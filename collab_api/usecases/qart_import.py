"""Importing a returned workbook: one transaction for the whole file.

Cells the importer cannot accept are reported (sheet, cell, value, reason) while the rest is
recorded. A site's trust is the one the row names or, when the trust cell is blank, the one
the graph has; never guessed from the code's letters (sites keep their codes through mergers).
An unknown trust rejects its row; a new site of a known trust is created under it, whatever
its code; a known site named under the trust its own trust merged into moves to it.
Importing the same file again changes nothing. A dry run does all of it and rolls back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.adoption import Observation, adoption_key, observation_key
from collab_api.usecases.audit import audit
from collab_api.domain.permissions import Actor, Forbidden, Role, Visibility, require_signed_in, visibility
from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.return_identity import CollaborativeNames, choose, collaboratives_in, quarters_in
from collab_api.domain.rows import ObservationWrite, ReturnFacts, ReturnSite, ReturnTrust, WithdrawnRow
from collab_api.domain.spread import phase_then
from collab_api.graph.adoptions import observation_row
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import returns as returns_graph
from collab_api.graph import qart as qart_graph
from collab_api.graph import seed as seed_graph
from collab_api.progress import QUIET, Steps
from collab_api.qart.layout import EMERGENCY, MATERNITY, SHEET_BY_NAME
from collab_api.qart.isolated import read_isolated
from collab_api.qart.reader import ParsedReturn, Rejection, ReturnRow, WorkbookError, WorkbookTooLarge

DEFAULT_INTERVENTION = "marthas-rule"


class ImportRefused(ValueError):
    """The whole file was refused; nothing was imported. `field`: the input at fault."""

    def __init__(self, message: str, field: str = "file", code: str = "REFUSED") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


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
    other_sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    cells_read: int = 0
    cells_accepted: int = 0
    cells_rejected: int = 0
    observations: dict[str, int] = field(default_factory=lambda: {"CREATED": 0, "UNCHANGED": 0, "CORRECTED": 0})
    sites_created: list[dict[str, str]] = field(default_factory=list)
    sites_moved: list[dict[str, str]] = field(default_factory=list)
    collaboratives_found: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    phases_changed: list[dict[str, Any]] = field(default_factory=list)  # {site, from, to} for this quarter
    sites_new_to_programme: list[str] = field(default_factory=list)
    withdrawn: list[WithdrawnRow] = field(default_factory=list)  # answers of the earlier return this one leaves out
    replaces: bool = False  # an earlier import of this same return (collaborative, intervention, quarter) exists
    return_key: str | None = None  # the return (collaborative, intervention, quarter) this import is of
    upload_listed: bool = False  # the first import of the return, or one that changed it (the same file again is not)
    upload_id: str | None = None  # this upload, listed with the collaborative's past uploads

    def changes(self) -> int:
        return (self.observations["CREATED"] + self.observations["CORRECTED"] + len(self.sites_created) + len(self.sites_moved)
                + len(self.withdrawn) + len(self.phases_changed) + len(self.sites_new_to_programme))

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "quarter": self.quarter, "intervention": self.intervention,
            "collaborative": self.collaborative, "dryRun": self.dry_run,
            "sheets": self.sheets, "missingSheets": self.missing_sheets, "sheetsNotRead": self.other_sheets,
            "rows": {"read": self.rows_read, "accepted": self.rows_accepted, "rejected": self.rows_rejected},
            "cells": {"read": self.cells_read, "accepted": self.cells_accepted, "rejected": self.cells_rejected},
            "observations": {k.lower(): v for k, v in self.observations.items()},
            "sitesCreated": self.sites_created, "sitesMoved": self.sites_moved, "collaborativesFound": self.collaboratives_found,
            "rejections": [r.as_dict() for r in self.rejections],
            "phasesChanged": self.phases_changed, "sitesNewToProgramme": self.sites_new_to_programme,
            "withdrawn": [dict(row) for row in self.withdrawn], "replaces": self.replaces, "uploadId": self.upload_id,
        }


def quarter_in_name(filename: str | None) -> str | None:
    """The reporting quarter a file name states ('2026/27 Q2'), or None (also when it names two)."""
    found = quarters_in(Path(filename or "").name)
    return found[0] if len(found) == 1 else None


def quarter_of(quarter: str | None, filename: str | None, today: dt.date, *, given: bool = True) -> Quarter:
    """The reporting quarter: `quarter` (given=True: from the arguments; False: from the file
    name or the workbook), refused when missing, malformed or not started."""
    if not quarter:
        raise ImportRefused(
            f"give the reporting quarter (e.g. '2026/27 Q2'): the file name '{Path(filename or '').name[:80]}' does not say it "
            "(names such as 'UCLPartners HIN QART 2627 Q2 returned.xlsx' do), nor does the workbook", field="quarter")
    try:
        parsed = Quarter.parse(quarter)
    except QuarterError as exc:
        raise ImportRefused(str(exc), field="quarter" if given else "file") from exc
    if parsed.starts_on > today:
        raise ImportRefused(f"{parsed} has not started yet", field="quarter" if given else "file")
    return parsed


async def _identity(graph: Graph, parsed: ParsedReturn, filename: str | None, quarter: str | None,
                    collaborative: str | None, confirm: bool) -> tuple[str | None, str | None]:
    """The quarter and collaborative the return is for: the arguments', else what the file name
    and the workbook's own words agree on; refused where they disagree, unless confirmed."""
    known = [CollaborativeNames(row["code"], tuple(n for n in (row["name"], row["formerName"]) if n))
             for row in await collaborative_graph.all_collaboratives(graph)]
    name, words = Path(filename or "").name, "\n".join(parsed.own_words)
    label, conflicts = choose("quarter", quarter, [("the file name", quarters_in(name)), ("the workbook", quarters_in(words))])
    code, others = choose("collaborative", collaborative, [("the file name", collaboratives_in(name, known)),
                                                           ("the workbook", collaboratives_in(words, known))])
    conflicts += others
    if conflicts and not confirm:
        raise ImportRefused("; and ".join(c.message for c in conflicts), field=conflicts[0].what, code="DISAGREES")
    return label, code


async def import_return(
    graph: Graph, source: bytes | Path | str, *, actor: Actor, quarter: str | None = None, collaborative: str | None = None,
    intervention: str = DEFAULT_INTERVENTION, dry_run: bool = False, filename: str | None = None,
    today: dt.date | None = None, progress: Steps | None = None, confirm: bool = False,
) -> ImportSummary:
    """Import one quarterly return in one transaction. The quarter and collaborative are the
    arguments' or what the file name and the workbook say, refused where these disagree unless
    `confirm` (the arguments are right). `progress` (the CLI's): report each phase of long imports."""
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
    if quarter:
        quarter = quarter_of(quarter, filename, today).label  # a malformed one is refused before the file is read
    try:
        with progress.step(f"reading {Path(filename).name if filename else 'the workbook'}", 1, "workbook") as advance:
            parsed = await read_isolated(source)
            advance(1)
    except WorkbookTooLarge as exc:
        raise ImportRefused(str(exc), code="TOO_LARGE") from exc
    except WorkbookError as exc:
        raise ImportRefused(str(exc), code="UNREADABLE") from exc
    label, code = await _identity(graph, parsed, filename, quarter, collaborative.strip().upper() if collaborative else None,
                                  confirm)
    reporting = quarter_of(label, filename, today, given=bool(quarter))

    async def work(tx: Tx) -> ImportSummary:
        summary = ImportSummary(Path(filename).name if filename else None, reporting.label, intervention, code,
                                dry_run, parsed.sheets, parsed.missing_sheets, parsed.other_sheets, rows_read=parsed.rows_read,
                                rows_rejected=parsed.rows_rejected, rejections=list(parsed.rejections))
        sites = await _apply(tx, parsed, summary, reporting, today, visibility(actor), progress, actor.subject or "")
        if dry_run:
            raise _DryRun(summary)
        if summary.changes():
            withdrawn = "; ".join(f"{w['site']} {w['component'] or 'whole intervention'} {w['careSetting'] or 'no setting'} "
                                  f"(was {w['notApplicable'] or 'stage ' + str(w['stage'])})" for w in summary.withdrawn[:50])
            await audit(tx, actor, "importQuarterlyReturn",
                        [("Intervention", summary.intervention), *[("Organisation", site) for site in sites]],
                        f"{summary.file or 'workbook'} {summary.quarter}{' (replacing the earlier return)' if summary.replaces else ''}: "
                        f"{summary.observations['CREATED']} new, {summary.observations['CORRECTED']} corrected, "
                        f"{len(summary.withdrawn)} withdrawn{': ' + withdrawn if withdrawn else ''}, "
                        f"{len(summary.phases_changed)} phases changed, {len(summary.sites_created)} sites created")
        if summary.return_key and summary.upload_listed:  # who uploaded what, when, and what it changed
            summary.upload_id = f"upload-{secrets.token_hex(8)}"
            await returns_graph.record_upload(tx, summary.return_key, {
                "id": summary.upload_id, "file": summary.file, "quarter": summary.quarter, "collaborative": summary.collaborative,
                "importedBy": actor.subject, "importedByName": actor.name, "created": summary.observations["CREATED"],
                "corrected": summary.observations["CORRECTED"], "unchanged": summary.observations["UNCHANGED"],
                "withdrawn": len(summary.withdrawn), "rejected": summary.cells_rejected})
        return summary

    try:
        return await graph.write_tx(work)
    except _DryRun as rolled_back:
        return rolled_back.summary


async def _apply(tx: Tx, parsed: ParsedReturn, summary: ImportSummary, quarter: Quarter, today: dt.date,
                 viewer: Visibility, progress: Steps, actor_subject: str) -> list[str]:
    """Check the rows against the graph and write what is accepted; returns the sites written."""
    trusts = sorted({row.trust_code for row in parsed.rows if row.trust_code})
    sites = sorted({row.site_code for row in parsed.rows})
    context = await qart_graph.return_context(tx, summary.intervention, trusts, sites, summary.collaborative, viewer)
    if not context.get("intervention"):
        raise ImportRefused(f"no intervention has the id '{summary.intervention}'", field="intervention")
    if summary.collaborative and not context.get("collaborative"):
        raise ImportRefused(f"no collaborative has the code '{summary.collaborative}'", field="collaborative")
    components = {c["name"].lower(): c["key"] for c in context["components"]}
    trust_info = {t["code"]: t for t in context["trusts"] if t}
    site_info = {s["code"]: s for s in context["sites"] if s}
    found: set[str] = set()
    new_sites: dict[str, dict[str, Any]] = {}
    moved: dict[str, str] = {}
    phases: list[dict[str, Any]] = []
    services: dict[str, dict[str, Any]] = {}
    rows: list[ObservationWrite] = []
    accepted: list[ReturnRow] = []
    named_trust: dict[str, str] = {}
    at = dt.datetime.now(dt.UTC).isoformat()

    for row in parsed.rows:
        trust_code, reason = _trust_of(row, trust_info, site_info, summary.collaborative, moved)
        if reason or trust_code is None:
            summary.rows_rejected += 1
            summary.rejections.append(Rejection(row.sheet, row.where, row.site_code, reason or "no trust"))
            continue
        summary.rows_accepted += 1
        accepted.append(row)
        named_trust.setdefault(row.site_code, trust_code)
        trust = trust_info[trust_code]
        found.update(trust["collaboratives"])
        known = site_info.get(row.site_code)
        if known is None and row.site_code not in new_sites:
            new_sites[row.site_code] = {"odsCode": row.site_code, "name": row.site_name or f"Site {row.site_code}", "kind": "SITE",
                                        "careSettings": ["ACUTE"], "synthetic": False, "status": "ACTIVE", "closedOn": None,
                                        "icb": trust["icb"], "trust": trust_code}
            summary.sites_created.append({"sheet": row.sheet, "row": str(row.row), "site": row.site_code, "trust": trust_code})
        elif known is not None and known["trust"] != trust_code and row.site_code not in moved \
                and trust_code not in known["trustPredecessors"]:
            moved[row.site_code] = trust_code
            summary.sites_moved.append({"sheet": row.sheet, "row": str(row.row), "site": row.site_code,
                                        "fromTrust": known["trust"] or "", "trust": trust_code})
        if row.phase is not None:
            phases.append({"site": row.site_code, "phase": row.phase})
        flags = services.setdefault(row.site_code, {"site": row.site_code, "maternity": False, "emergency": False})
        flags["maternity"] |= row.sheet == MATERNITY.name
        flags["emergency"] |= row.sheet == EMERGENCY.name
        rows.extend(_observations(row, summary, components, quarter, at))
    summary.collaboratives_found = sorted(found)
    if new_sites:
        await seed_graph.upsert_organisations(tx, list(new_sites.values()))
    if moved:
        await qart_graph.move_sites(tx, [{"site": site, "trust": trust} for site, trust in sorted(moved.items())])
    if phases:
        for change in await qart_graph.set_phases(tx, summary.intervention, phases, quarter.index):
            if change["from"] is None:
                summary.sites_new_to_programme.append(change["site"])
            else:
                summary.phases_changed.append(change)
    if services:
        await qart_graph.flag_services(tx, list(services.values()))
    # One return per collaborative, intervention and quarter: this one replaces any earlier import of it.
    key = returns_graph.return_key(summary.collaborative or (sorted(found)[0] if len(found) == 1 else None),
                                   summary.intervention, quarter.index)
    site_phase = {row["site"]: row["phase"] for row in phases}
    for written in rows:  # the facts of this return's quarter, pinned on each answer it gives
        site = written["organisation"]
        known_site = site_info.get(site)
        phase = site_phase.get(site)
        if phase is None and known_site is not None:  # a site on a sheet with no phase: its phase in force then
            phase = phase_then(known_site["phaseHistory"] or [], quarter.index)[1] or known_site["phase"]
        named = named_trust.get(site)
        collaborative = summary.collaborative or (min(trust_info[named]["collaboratives"], default=None) if named else None)
        written["returnFacts"] = ReturnFacts(phase=phase, returnKey=key, trust=named, collaborative=collaborative, complete=True)
    replaced = await returns_graph.replaceable(tx, key, _covered(accepted, components, summary.intervention, quarter))
    with progress.step("writing adoption observations", len(rows), "observations") as advance:
        for start in range(0, len(rows), 500):
            for result in await adoption_graph.write_observations(tx, rows[start:start + 500]):
                summary.observations[result["outcome"]] += 1
            advance(len(rows[start:start + 500]))
    given = {row["observationKey"] for row in rows}
    summary.withdrawn = [answer for answer in replaced if answer["key"] not in given]
    await returns_graph.withdraw(tx, summary.withdrawn, summary.intervention, key=key, actor=actor_subject, at=at)
    summary.replaces = await returns_graph.imported(tx, key)
    summary.return_key = key
    summary.upload_listed = not summary.replaces or bool(summary.changes())
    if summary.upload_listed:  # the same file again changes nothing
        await returns_graph.record(tx, key, collaborative=summary.collaborative, intervention=summary.intervention,
                                   quarter=quarter.label, file=summary.file, actor=actor_subject, at=at)
    return sorted({row["organisation"] for row in rows} | set(new_sites) | set(moved)
                  | {answer["site"] for answer in summary.withdrawn})


def _covered(accepted: list[ReturnRow], components: dict[str, str], intervention: str, quarter: Quarter) -> list[str]:
    """The answers' keys of every cell on the accepted rows: what this return says for its sites,
    a blank included (a cell left blank withdraws what an earlier return or a page gave there)."""
    keys = []
    for row in accepted:
        for column in SHEET_BY_NAME[row.sheet].stage_columns:
            if (component := components.get(column.component.lower())) is not None:
                keys.append(observation_key(adoption_key(row.site_code, intervention, component, column.care_setting), quarter.label))
    return keys


def _observations(row: ReturnRow, summary: ImportSummary, components: dict[str, str], quarter: Quarter,
                  at: str) -> list[ObservationWrite]:
    written = []
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
        written.append(observation_row(observation, key, at=at))
    return written


def _trust_of(row: ReturnRow, trusts: dict[str, ReturnTrust], sites: dict[str, ReturnSite], collaborative: str | None,
              moved: dict[str, str]) -> tuple[str | None, str | None]:
    """The row's trust (the one named, or the site's in the graph when the cell is blank), or
    why the row cannot be accepted."""
    site = sites.get(row.site_code)
    if site is not None and site["kind"] != "SITE":
        return None, f"{row.site_code} is an organisation of kind {site['kind']}, not a site"
    code = row.trust_code or moved.get(row.site_code) or (site["trust"] if site else None)
    if code is None:
        if site is None:
            return None, f"site {row.site_code} is not known and the row has no trust code (column B) to create it under"
        return None, f"site {row.site_code} has no trust in the platform and the row has no trust code (column B)"
    trust = trusts.get(code)
    if trust is None:
        return None, f"unknown trust code {code}: no organisation has it"
    if trust["kind"] != "TRUST":
        return None, f"{code} is not a trust"
    if collaborative and collaborative not in trust["collaboratives"]:
        return None, f"trust {code} is not a member of {collaborative}"
    if site is not None and code in site["trustPredecessors"]:
        return code, None  # an earlier quarter's return names the trust it had then: accepted, not moved back
    if site is not None and site["trust"] not in (None, code) and code not in site["trustSuccessors"] and moved.get(row.site_code) != code:
        return None, (f"site {row.site_code} belongs to {site['trust']}, not {code} (a site moves to another trust "
                      f"only when its trust merged into it: record the merger first, e.g. with 'collab ods import')")
    return code, None
