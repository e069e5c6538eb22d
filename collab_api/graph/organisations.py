"""Organisations: trusts and their sites, GP practices, care homes and other providers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from collab_api.db.graph import Graph
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.rows import CollaborativeRow, IcbRow, OrganisationRow, SuccessionRow
from collab_api.graph.common import (
    COLLABORATIVE, ICB, ORGANISATION, ORGANISATION_FIELDS, keyed_lists, keyed_pages, keyed_rows, page,
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
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (o:Organisation {{odsCode: key}})
        RETURN key, o {ORGANISATION} AS value""", codes, OrganisationRow)


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


async def sites_of(graph: Graph, codes: Sequence[str]) -> dict[str, list[OrganisationRow]]:
    return await keyed_lists(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})-[:HAS_SITE]->(s:Organisation)
        WITH key, s ORDER BY s.odsCode
        RETURN key, collect(s {ORGANISATION}) AS value""", codes, OrganisationRow)


async def trust_of(graph: Graph, codes: Sequence[str]) -> dict[str, OrganisationRow]:
    return await keyed_rows(graph, f"""
        UNWIND $keys AS key MATCH (:Organisation {{odsCode: key}})<-[:HAS_SITE]-(t:Organisation)
        RETURN key, t {ORGANISATION} AS value""", codes, OrganisationRow)


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
