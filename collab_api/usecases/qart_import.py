"""Importing a returned workbook: one transaction for the whole file.

Cells the importer cannot accept are reported (sheet, cell, value, reason) while the rest is
recorded. Martha's Rule returns are the national template's sites under their trusts
(`usecases.qart_sites`); any other intervention's return names organisations the platform knows,
members of the collaborative. Importing the same file again changes nothing. A dry run does all
of it and rolls back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from collab_api.db.graph import Graph, Tx
from collab_api.domain.adoption import adoption_key, observation_key
from collab_api.domain.permissions import Actor, Forbidden, Role, Visibility, require_signed_in, visibility
from collab_api.domain.quarters import Quarter, QuarterError
from collab_api.domain.return_identity import CollaborativeNames, choose, collaboratives_in, quarters_in
from collab_api.domain.rows import ObservationWrite, ReturnFacts
from collab_api.graph import adoptions as adoption_graph
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import qart as qart_graph
from collab_api.graph import returns as returns_graph
from collab_api.graph.tally_keeping import keeping_tallies
from collab_api.progress import QUIET, Steps
from collab_api.qart.isolated import read_isolated
from collab_api.qart.layout import MARTHAS_RULE_ID, ReturnLayout
from collab_api.qart.reader import ParsedReturn, ReturnRow, WorkbookError, WorkbookTooLarge
from collab_api.usecases.audit import audit
from collab_api.usecases.qart_export import UnknownIntervention, return_layout
from collab_api.usecases.qart_sites import accept_sites
from collab_api.usecases.return_rows import Facts, ImportRefused, ImportSummary, component_of, observations

__all__ = ["DEFAULT_INTERVENTION", "ImportRefused", "ImportSummary", "import_return", "quarter_in_name", "quarter_of"]

DEFAULT_INTERVENTION = MARTHAS_RULE_ID


class _DryRun(Exception):
    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary


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
        layout, _ = await return_layout(graph, intervention, visibility(actor))
    except UnknownIntervention as exc:
        raise ImportRefused(str(exc), field="intervention", code="NOT_FOUND") from exc
    try:
        with progress.step(f"reading {Path(filename).name if filename else 'the workbook'}", 1, "workbook") as advance:
            parsed = await read_isolated(source, layout=layout)
            advance(1)
    except WorkbookTooLarge as exc:
        raise ImportRefused(str(exc), code="TOO_LARGE") from exc
    except WorkbookError as exc:
        raise ImportRefused(str(exc), code="UNREADABLE") from exc
    label, code = await _identity(graph, parsed, filename, quarter, collaborative.strip().upper() if collaborative else None,
                                  confirm)
    reporting = quarter_of(label, filename, today, given=bool(quarter))

    async def work(tx: Tx) -> ImportSummary:
        tx.may_write_nothing = True  # the same file again: every answer is read, found as given, and left
        summary = ImportSummary(Path(filename).name if filename else None, reporting.label, intervention, code,
                                dry_run, parsed.sheets, parsed.missing_sheets, parsed.other_sheets, rows_read=parsed.rows_read,
                                rows_rejected=parsed.rows_rejected, rejections=list(parsed.rejections))
        # Its enrolments, answers and withdrawals kept in the tallies and the lineage once, not per batch
        sites = await keeping_tallies(tx, [], lambda runner: _apply(tx, parsed, summary, layout, reporting, visibility(actor),
                                                                   progress, actor.subject or ""))
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


async def _apply(tx: Tx, parsed: ParsedReturn, summary: ImportSummary, layout: ReturnLayout, quarter: Quarter,
                 viewer: Visibility, progress: Steps, actor_subject: str) -> list[str]:
    """Check the rows against the graph and write what is accepted; returns the sites written."""
    # The national template's trusts and sites, as the graph has them (a layout of the platform's
    # own checks its organisations in _accept_organisations).
    trusts = sorted({row.trust_code for row in parsed.rows if row.trust_code}) if layout.national else []
    sites = sorted({row.site_code for row in parsed.rows}) if layout.national else []
    context = await qart_graph.return_context(tx, summary.intervention, trusts, sites, summary.collaborative, viewer)
    if not context.get("intervention"):
        raise ImportRefused(f"no intervention has the id '{summary.intervention}'", field="intervention")
    if summary.collaborative and not context.get("collaborative"):
        raise ImportRefused(f"no collaborative has the code '{summary.collaborative}'", field="collaborative")
    components = {c["name"].lower(): c["key"] for c in context["components"]}
    at = dt.datetime.now(dt.UTC).isoformat()
    if layout.national:
        accepted, rows, written = await accept_sites(tx, parsed, summary, context, components, quarter, at)
    else:
        accepted, rows, written = await _accept_organisations(tx, parsed, summary, components, quarter, at)
    # One return per collaborative, intervention and quarter: this one replaces any earlier import of it.
    found = summary.collaboratives_found
    key = returns_graph.return_key(summary.collaborative or (found[0] if len(found) == 1 else None), summary.intervention,
                                   quarter.index)
    for row in rows:  # the facts of this return's quarter, pinned on each answer it gives
        phase, trust, collaborative = written[row["organisation"]]
        row["returnFacts"] = ReturnFacts(phase=phase, returnKey=key, trust=trust, collaborative=collaborative, complete=True)
    replaced = await returns_graph.replaceable(tx, key, _covered(accepted, layout, components, summary.intervention, quarter))
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
    return sorted({row["organisation"] for row in rows} | {s["site"] for s in summary.sites_created}
                  | {s["site"] for s in summary.sites_moved} | {answer["site"] for answer in summary.withdrawn})


async def _accept_organisations(tx: Tx, parsed: ParsedReturn, summary: ImportSummary, components: dict[str, str],
                                quarter: Quarter, at: str) -> tuple[list[ReturnRow], list[ObservationWrite], Facts]:
    """A return of the platform's own layout: each row an organisation the platform knows, a
    member of the collaborative whose return it is; nothing is created or moved."""
    known = {o["code"]: o for o in await qart_graph.return_organisations(tx, sorted({row.site_code for row in parsed.rows}))}
    accepted: list[ReturnRow] = []
    rows: list[ObservationWrite] = []
    found: set[str] = set()
    for row in parsed.rows:
        organisation = known.get(row.site_code)
        reason = None
        if organisation is None:
            reason = (f"no organisation has the code {row.site_code}: the national team adds organisations from the ODS files; "
                      "check the code in column B")
        elif summary.collaborative and summary.collaborative not in organisation["collaboratives"]:
            reason = f"{row.site_code} is not a member of {summary.collaborative}"
        if reason or organisation is None:
            summary.reject_row(row, reason or "")
            continue
        summary.rows_accepted += 1
        accepted.append(row)
        found.update(organisation["collaboratives"])
        rows.extend(observations(row, summary, components, quarter, at))
    summary.collaboratives_found = sorted(found)
    facts: Facts = {code: (None, None, summary.collaborative or min(o["collaboratives"], default=None))
                    for code, o in known.items()}
    return accepted, rows, facts


def _covered(accepted: list[ReturnRow], layout: ReturnLayout, components: dict[str, str], intervention: str,
             quarter: Quarter) -> list[str]:
    """The answers' keys of every cell on the accepted rows: what this return says for its sites,
    a blank included (a cell left blank withdraws what an earlier return or a page gave there)."""
    keys = []
    for row in accepted:
        for column in layout.sheet(row.sheet).stage_columns:
            known, component = component_of(column.component, components)
            if known:
                keys.append(observation_key(adoption_key(row.site_code, intervention, component, column.care_setting), quarter.label))
    return keys
