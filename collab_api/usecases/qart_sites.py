"""The national template's rows: sites under their trusts. A site's trust is the one the row
names or, when the trust cell is blank, the one the graph has; never guessed from the code's
letters (sites keep their codes through mergers). An unknown trust rejects its row; a new site
of a known trust is created under it, whatever its code; a known site named under the trust its
own trust merged into moves to it."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Tx
from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import ObservationWrite, ReturnContext, ReturnSite, ReturnTrust
from collab_api.domain.spread import phase_then
from collab_api.graph import qart as qart_graph
from collab_api.graph import seed as seed_graph
from collab_api.qart.layout import EMERGENCY, MATERNITY
from collab_api.qart.reader import ParsedReturn, ReturnRow
from collab_api.usecases.return_rows import Facts, ImportSummary, observations


async def accept_sites(tx: Tx, parsed: ParsedReturn, summary: ImportSummary, context: ReturnContext,
                        components: dict[str, str], quarter: Quarter,
                        at: str) -> tuple[list[ReturnRow], list[ObservationWrite], Facts]:
    """The national template: sites under their trusts, new sites created under a known trust,
    sites moved to the trust theirs merged into, roll-out phases and services flagged."""
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

    for row in parsed.rows:
        trust_code, reason = _trust_of(row, trust_info, site_info, summary.collaborative, moved)
        if reason or trust_code is None:
            summary.reject_row(row, reason or "no trust")
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
        rows.extend(observations(row, summary, components, quarter, at))
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
    site_phase = {row["site"]: row["phase"] for row in phases}
    facts: Facts = {}
    for site in {row["organisation"] for row in rows}:
        known_site = site_info.get(site)
        phase = site_phase.get(site)
        if phase is None and known_site is not None:  # a site on a sheet with no phase: its phase in force then
            phase = phase_then(known_site["phaseHistory"] or [], quarter.index)[1] or known_site["phase"]
        named = named_trust.get(site)
        collaborative = summary.collaborative or (min(trust_info[named]["collaboratives"], default=None) if named else None)
        facts[site] = (phase, named, collaborative)
    return accepted, rows, facts


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
