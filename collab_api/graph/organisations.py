"""Organisations: trusts and their sites, GP practices, care homes and other providers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.rows import CollaborativeRow, IcbRow, OrganisationRow, SuccessionRow
from collab_api.domain.permissions import Visibility
from collab_api.domain.spread_map import NearbyAdoptionRow, SitePoint
from collab_api.graph.common import (
    COLLABORATIVE, ICB, INTERVENTION, ORGANISATION, ORGANISATION_FIELDS, VISIBLE, keyed_collected, keyed_lists, keyed_pages, keyed_rows, keyed_values,
    page, shaped_all,
)


@dataclass(frozen=True)
class OrganisationFilter:
    kind: str | None = None
    careSetting: str | None = None
    nameContains: str | None = None
    icb: str | None = None
    collaborative: str | None = None
    synthetic: bool | None = None

    def params(self) -> dict[str, Any]:
        return asdict(self)


# A static, parameterised predicate on `o`: unset filters are NULL and match everything.
MATCHES_FILTER = """
    ($kind IS NULL OR o.kind = $kind)
    AND ($careSetting IS NULL OR $careSetting IN o.careSettings)
    AND ($nameContains IS NULL OR toLower(o.name) CONTAINS toLower($nameContains))
    AND ($icb IS NULL OR EXISTS { MATCH (o)-[:IN_ICB]->(f:ICB) WHERE f.name = $icb })
    AND ($synthetic IS NULL OR coalesce(o.synthetic, false) = $synthetic)
"""


async def by_codes(graph: Graph, codes: Sequence[str]) -> dict[str, OrganisationRow]:
    return await keyed_collected(graph, f"""
        UNWIND $keys AS key MATCH (o:Organisation {{odsCode: key}})
        RETURN collect([key, o {ORGANISATION}]) AS rows""", codes, OrganisationRow)


async def page_of(graph: Graph, filter: OrganisationFilter, request: PageRequest) -> Page[OrganisationRow]:
    in_collaborative = """($collaborative IS NULL OR EXISTS {
        MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(fc:Collaborative) WHERE fc.code = $collaborative })"""
    return await page(graph, f"""
        CALL () {{
            MATCH (o:Organisation)
            WHERE {MATCHES_FILTER} AND {in_collaborative} AND ($after IS NULL OR o.odsCode > $after)
            WITH o ORDER BY o.odsCode LIMIT $fetch
            RETURN collect(o {ORGANISATION}) AS rows
        }}
        CALL () {{
            MATCH (o:Organisation) WHERE {MATCHES_FILTER} AND {in_collaborative}
            RETURN count(o) AS total,
                   count(CASE WHEN $after IS NOT NULL AND o.odsCode <= $after THEN 1 END) AS before
        }}
        RETURN rows, total, before""", request, "odsCode", OrganisationRow, **filter.params())


async def members_of(
    graph: Graph, collaborative_codes: Sequence[str], filter: OrganisationFilter, request: PageRequest
) -> dict[str, Page[OrganisationRow]]:
    """The same page of member organisations for each of many collaboratives, in one query."""
    return await keyed_pages(graph, f"""
        UNWIND $keys AS key
        MATCH (c:Collaborative {{code: key}})
        CALL (c) {{
            MATCH (c)-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation)
            WHERE {MATCHES_FILTER} AND ($after IS NULL OR o.odsCode > $after)
            WITH o ORDER BY o.odsCode LIMIT $fetch
            RETURN collect(o {ORGANISATION}) AS rows
        }}
        CALL (c) {{
            MATCH (c)-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation) WHERE {MATCHES_FILTER}
            RETURN count(o) AS total,
                   count(CASE WHEN $after IS NOT NULL AND o.odsCode <= $after THEN 1 END) AS before
        }}
        RETURN key, rows, total, before""", collaborative_codes, request, "odsCode", OrganisationRow, **filter.params())


async def collaborative_of(graph: Graph, codes: Sequence[str]) -> dict[str, CollaborativeRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key
        MATCH (:Organisation {{odsCode: key}})-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        RETURN key, c {COLLABORATIVE} AS value""", codes, CollaborativeRow)


async def icb_of(graph: Graph, codes: Sequence[str]) -> dict[str, IcbRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})-[:IN_ICB]->(i:ICB)
        RETURN key, i {ICB} AS value""", codes, IcbRow)


async def points_of(graph: Graph, codes: Sequence[str]) -> dict[str, SitePoint]:
    """Where each organisation is (its postcode's point) and its ICB's ODS code, by code."""
    return await keyed_collected(graph, """
        UNWIND $keys AS key MATCH (o:Organisation {odsCode: key})
        OPTIONAL MATCH (o)-[:IN_ICB]->(i:ICB)  // not a pattern comprehension: on ArcadeDB that doubles the time (845 sites: 44 -> 24 ms)
        RETURN collect([key, o {.odsCode, .postcode, .postcodeSynthetic, .easting, .northing, icb: i.odsCode}]) AS rows""",
        codes, SitePoint)  # a national map's sites


async def nearby_adopters(graph: Graph, code: str, *, metres: int, stage: int, limit: int, viewer: Visibility
                          ) -> list[NearbyAdoptionRow]:
    """Organisations within `metres` of this one (a square first, an index-free filter on the
    adopters of its own interventions only; then the circle) at `stage` or above of an
    intervention this one has an adoption of, nearest first."""
    rows = await graph.read(f"""
        MATCH (o:Organisation {{odsCode: $code}})-[:ADOPTED]->(:Adoption)-[:OF]->(i:Intervention)
        WHERE o.easting IS NOT NULL AND {VISIBLE}
        WITH DISTINCT o, i
        MATCH (i)<-[:OF]-(theirs:Adoption)<-[:ADOPTED]-(other:Organisation)
        WHERE other <> o AND theirs.currentStage >= $stage AND other.easting IS NOT NULL
          AND abs(other.easting - o.easting) <= $metres AND abs(other.northing - o.northing) <= $metres
        WITH i, other, o, max(theirs.currentStage) AS stage
        WITH i, other, stage, sqrt((other.easting - o.easting) * (other.easting - o.easting)
                                   + (other.northing - o.northing) * (other.northing - o.northing)) AS metres
        WHERE metres <= $metres
        WITH i, other, stage, metres ORDER BY metres, i.id, other.odsCode LIMIT $limit
        RETURN i {INTERVENTION} AS intervention, other {ORGANISATION} AS organisation, stage, metres""",
        {"code": code, "metres": metres, "stage": stage, "limit": limit, **viewer.params()})
    return shaped_all(NearbyAdoptionRow, rows)


async def sites_of(graph: Graph, codes: Sequence[str]) -> dict[str, list[OrganisationRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})-[:HAS_SITE]->(s:Organisation)
        WITH key, s ORDER BY s.odsCode
        RETURN key, collect(s {ORGANISATION}) AS value""", codes, OrganisationRow)


async def trust_of(graph: Graph, codes: Sequence[str]) -> dict[str, OrganisationRow]:
    return await keyed_collected(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})<-[:HAS_SITE]-(t:Organisation)
        RETURN collect([key, t {ORGANISATION}]) AS rows""", codes, OrganisationRow)


async def trust_codes_of(graph: Graph, codes: Sequence[str]) -> dict[str, str]:
    """Each site's trust's ODS code now (only the code: a report sorts by it for every site)."""
    return await keyed_values(graph, """
        UNWIND $keys AS key MATCH (:Organisation {odsCode: key})<-[:HAS_SITE]-(t:Organisation)
        RETURN key, t.odsCode AS value""", codes)


async def successor_of(graph: Graph, codes: Sequence[str]) -> dict[str, SuccessionRow]:
    """The organisation that took over each one, with `successionDate`."""
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})-[m:SUCCEEDED_BY]->(s:Organisation)
        RETURN key, s {{{ORGANISATION_FIELDS}, successionDate: m.date}} AS value""", codes, SuccessionRow)


async def predecessors_of(graph: Graph, codes: Sequence[str]) -> dict[str, list[SuccessionRow]]:
    """The organisations each one took over, with `successionDate`."""
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})<-[m:SUCCEEDED_BY]-(p:Organisation)
        WITH key, p, m ORDER BY p.odsCode
        RETURN key, collect(p {{{ORGANISATION_FIELDS}, successionDate: m.date}}) AS value""", codes, SuccessionRow)
