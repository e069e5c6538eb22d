"""Graph access for finding interventions, recommendations, and whom to ask."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Runner
from collab_api.domain.permissions import Visibility
from collab_api.domain.rows import AdoptedBySimilar, AdoptersWithContacts, CandidateRow, SearchPage
from collab_api.domain.search import SearchFilter, SearchSort
from collab_api.graph.common import INTERVENTION, VISIBLE, shaped, shaped_all

_FIELDS = INTERVENTION[1:-1]  # the projection's entries, to extend with computed ones

FILTERS = """
    ($careSettings IS NULL OR any(s IN i.careSettings WHERE s IN $careSettings))
    AND ($harmArea IS NULL OR toLower(i.harmArea) = toLower($harmArea)
         OR EXISTS { MATCH (i)-[:ADDRESSES]->(hp:Priority) WHERE toLower(hp.harmArea) = toLower($harmArea) })
    AND ($evidenceType IS NULL OR $evidenceType IN i.evidenceTypes)
    AND ($status IS NULL OR i.status = $status)
    AND ($originatingRegion IS NULL OR EXISTS {
         MATCH (i)-[:ORIGINATED_IN]->(oc:Collaborative) WHERE oc.code = $originatingRegion })
    AND ($adoptedInRegion IS NULL OR EXISTS {
         MATCH (i)<-[:OF]-(ra:Adoption)<-[:ADOPTED]-(:Organisation)-[:IN_ICB]->(:ICB)<-[:COVERS]-(rc:Collaborative)
         WHERE rc.code = $adoptedInRegion AND ra.currentStage >= 1 })
    AND ($minimumStageReached IS NULL OR EXISTS {
         MATCH (i)<-[:OF]-(ma:Adoption) WHERE ma.currentStage >= $minimumStageReached })
    AND ($evidenceRatings IS NULL OR (i.evidenceRating IN $evidenceRatings AND i.evidenceReviewDueOn >= date($today)))
"""
RATING_RANK = """CASE WHEN i.evidenceReviewDueOn >= date($today) THEN CASE i.evidenceRating WHEN 'STRONG' THEN 3
                 WHEN 'MODERATE' THEN 2 WHEN 'SUGGESTIVE' THEN 1 ELSE 0 END ELSE 0 END"""
STATUS_RANK = """CASE i.status WHEN 'PROVEN' THEN 5 WHEN 'EVALUATED' THEN 4 WHEN 'IMPLEMENTED' THEN 3
                 WHEN 'TESTING' THEN 2 WHEN 'IDEA' THEN 1 ELSE 0 END"""
ORDER = {
    SearchSort.RELEVANCE: "score DESC, reached DESC, i.id",
    SearchSort.EVIDENCE: f"coalesce(i.evidenceStrength, 0) DESC, {STATUS_RANK} DESC, score DESC, i.id",
    SearchSort.SPREAD: "reached DESC, regions DESC, score DESC, i.id",
    SearchSort.RATING: f"{RATING_RANK} DESC, score DESC, reached DESC, i.id",
}


def _matches(graph: Graph, query: str | None, words: list[str], status: str | None) -> tuple[str, dict[str, Any]]:
    """Where candidates come from: the full-text index, plain matching without one, those of
    the status asked (its index: half the time of reading all 10,000 at national scale), or all."""
    if query and graph.fulltext_index:
        return """CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
                  WITH node AS i, score WHERE i:Intervention""", {"index": graph.fulltext_index, "query": query}
    if words:
        return """MATCH (i:Intervention)
                  WITH i, toFloat(size([w IN $words WHERE toLower(i.searchText) CONTAINS w])) AS score
                  WHERE score > 0""", {"words": words}
    if status is not None:
        return "MATCH (i:Intervention {status: $status}) WITH i, 0.0 AS score", {}
    return "MATCH (i:Intervention) WITH i, 0.0 AS score", {}


async def search(graph: Graph, query: str | None, words: list[str], filter: SearchFilter, sort: SearchSort,
                 offset: int, limit: int, viewer: Visibility) -> SearchPage:
    """{total, rows}: rows carry the intervention's fields, `score`, `reached` (organisations at
    stage 1 or above) and `regions` (their collaboratives)."""
    source, params = _matches(graph, query, words, filter.status)
    return shaped(SearchPage, (await graph.read(f"""
        {source}
        WITH i, score WHERE {FILTERS} AND {VISIBLE}
        // reach as kept on the intervention by every adoption write (graph/spread_tally.py)
        WITH i, score, coalesce(i.reachOrganisations, 0) AS reached, coalesce(i.reachRegions, 0) AS regions
        ORDER BY {ORDER[sort]}
        // every hit counted and ordered, only the page's projected (a hit's fields are most of the cost)
        WITH collect({{i: i, score: score, reached: reached, regions: regions}}) AS hits
        WITH size(hits) AS total, hits[$offset..($offset + $limit)] AS page
        UNWIND CASE WHEN size(page) = 0 THEN [null] ELSE page END AS hit
        WITH total, hit, hit.i AS i
        RETURN total, [row IN collect(CASE WHEN i IS NULL THEN null ELSE
                           i {{{_FIELDS}, score: hit.score, reached: hit.reached, regions: hit.regions}} END)
                       WHERE row IS NOT NULL] AS rows""",
        {**params, **filter.params(), **viewer.params(), "offset": offset, "limit": limit}))[0])


async def candidates_like(graph: Graph, query: str | None, limit: int, viewer: Visibility) -> list[CandidateRow]:
    """Interventions the full-text index finds for a title and summary (before publishing)."""
    if not query or not graph.fulltext_index:
        rows = await graph.read(f"""
            MATCH (i:Intervention) WHERE {VISIBLE}
            RETURN i {{{_FIELDS}, score: 0.0}} AS hit""", viewer.params())
        return [shaped(CandidateRow, row["hit"]) for row in rows]
    rows = await graph.read(f"""
        CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
        WITH node AS i, score WHERE i:Intervention AND {VISIBLE}
        WITH i, score ORDER BY score DESC LIMIT $limit
        RETURN i {{{_FIELDS}, score: score}} AS hit""", {"index": graph.fulltext_index, "query": query, "limit": limit, **viewer.params()})
    return [shaped(CandidateRow, row["hit"]) for row in rows]


async def adopted_by_similar(graph: Graph, ods_code: str, min_stage: int, viewer: Visibility) -> list[AdoptedBySimilar]:
    """Interventions adopted at `min_stage` or above by organisations like this one (of a kind
    in its family, sharing a care setting with it) in other regions, that neither it, its trust
    nor its sites have adopted that far. A trust and its sites are one family."""
    return shaped_all(AdoptedBySimilar, await graph.read(f"""
        MATCH (me:Organisation {{odsCode: $ods}})
        OPTIONAL MATCH (myTrust:Organisation)-[:HAS_SITE]->(me)
        OPTIONAL MATCH (me)-[:HAS_SITE]->(mySite:Organisation)
        WITH me, [x IN collect(DISTINCT myTrust) + collect(DISTINCT mySite) WHERE x IS NOT NULL] + [me] AS family
        UNWIND family AS member
        OPTIONAL MATCH (member)-[:IN_ICB]->(:ICB)<-[:COVERS]-(mine:Collaborative)
        WITH me, family, collect(DISTINCT mine.code) AS myRegions,
             reduce(acc = [], m IN family | acc + coalesce(m.careSettings, [])) AS mySettings,
             [m IN family | m.kind] AS myKinds
        MATCH (peer:Organisation)-[:ADOPTED]->(a:Adoption)-[:OF]->(i:Intervention)
        WHERE peer.kind IN myKinds AND NOT peer IN family AND a.currentStage >= $minStage
          AND any(s IN peer.careSettings WHERE s IN mySettings) AND {VISIBLE}
          AND NOT EXISTS {{ MATCH (m:Organisation)-[:ADOPTED]->(ma:Adoption)-[:OF]->(i)
                            WHERE m IN family AND ma.currentStage >= $minStage }}
        MATCH (peer)-[:IN_ICB]->(:ICB)<-[:COVERS]-(pc:Collaborative)
        WHERE NOT pc.code IN myRegions
        WITH i, peer, pc, max(a.currentStage) AS stage
        ORDER BY peer.odsCode
        WITH i, collect({{organisation: peer.odsCode, name: peer.name, collaborative: pc.code, stage: stage}}) AS why
        RETURN i {{{_FIELDS}}} AS intervention, why
        ORDER BY size(why) DESC, coalesce(i.evidenceStrength, 0) DESC, i.id""",
        {"ods": ods_code, "minStage": min_stage, **viewer.params()}))


async def adopters_with_contacts(graph: Graph, intervention: str, ods_code: str, viewer: Visibility) -> AdoptersWithContacts | None:
    """The asking organisation's family (itself, its trust, its sites): its ICB, region and
    care settings; the intervention's delivery settings; and every adopter outside the family
    with a consenting contact, with where it is, its care settings and the settings it adopted in."""
    rows = await graph.read(f"""
        MATCH (me:Organisation {{odsCode: $ods}})
        MATCH (i:Intervention {{id: $intervention}}) WHERE {VISIBLE}
        OPTIONAL MATCH (myTrust:Organisation)-[:HAS_SITE]->(me)
        OPTIONAL MATCH (me)-[:HAS_SITE]->(mySite:Organisation)
        WITH me, i, [x IN collect(DISTINCT myTrust) + collect(DISTINCT mySite) WHERE x IS NOT NULL] + [me] AS family
        OPTIONAL MATCH (me)-[:IN_ICB]->(myIcb:ICB)
        OPTIONAL MATCH (myIcb)<-[:COVERS]-(myRegion:Collaborative)
        CALL (i, family) {{
            MATCH (i)<-[:OF]-(a:Adoption)<-[:ADOPTED]-(o:Organisation)
            WHERE NOT o IN family
            WITH o, a ORDER BY a.currentStage DESC
            WITH o, collect(a) AS adoptions  // its furthest stage, whichever adoption holds the consenting contact
            WITH o, adoptions, [x IN adoptions WHERE x.contact IS NOT NULL | x.contact] AS contacts WHERE size(contacts) > 0
            OPTIONAL MATCH (o)-[:IN_ICB]->(icb:ICB)
            OPTIONAL MATCH (icb)<-[:COVERS]-(c:Collaborative)
            WITH o, adoptions, contacts, head(collect(icb.name)) AS icb, head(collect(c.code)) AS collaborative
            RETURN collect({{organisation: o.odsCode, name: o.name, icb: icb, collaborative: collaborative,
                            stage: adoptions[0].currentStage, contact: contacts[0],
                            careSettings: coalesce(o.careSettings, []),
                            adoptedIn: [x IN adoptions WHERE x.careSetting IS NOT NULL | x.careSetting]}}) AS adopters
        }}
        RETURN myIcb.name AS icb, myRegion.code AS collaborative, adopters,
               reduce(acc = [], m IN family | acc + coalesce(m.careSettings, [])) AS settings,
               coalesce(i.careSettings, []) AS delivered""",
        {"ods": ods_code, "intervention": intervention, **viewer.params()})
    return shaped(AdoptersWithContacts, rows[0]) if rows else None


async def harm_areas(graph: Runner, viewer: Visibility) -> list[str]:
    """Every harm area named by an intervention the viewer may see or by a priority."""
    rows = await graph.read(f"""
        OPTIONAL MATCH (i:Intervention) WHERE i.harmArea IS NOT NULL AND {VISIBLE}
        WITH collect(DISTINCT i.harmArea) AS fromInterventions
        OPTIONAL MATCH (p:Priority) WHERE p.harmArea IS NOT NULL
        WITH fromInterventions, collect(DISTINCT p.harmArea) AS fromPriorities
        RETURN fromInterventions + fromPriorities AS areas""", viewer.params())
    return [str(area) for area in rows[0]["areas"]] if rows else []
