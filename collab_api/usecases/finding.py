"""Providers find proven solutions: search, "organisations like yours adopted", whom to ask,
and, before publishing, interventions that look like the same idea."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, TypedDict

from collab_api.db.graph import Graph
from collab_api.domain import ods
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.harm_areas import folded
from collab_api.domain.paging import Page, PageRequest
from collab_api.domain.permissions import Visibility
from collab_api.domain.rows import CandidateRow
from collab_api.domain.search import SearchFilter, SearchSort, fulltext_query, search_words, similarity, terms
from collab_api.domain.stages import ADOPTED
from collab_api.domain.vocabulary import setting_fits
from collab_api.graph import collaboratives as collaborative_graph
from collab_api.graph import search as search_graph
from collab_api.usecases.harm_area_list import harm_area_list

PROXIMITY = ("SAME_ICB", "SAME_COLLABORATIVE", "NATIONAL")


def _offset(request: PageRequest) -> int:
    if request.after is None:
        return 0
    if not request.after.isdigit():
        raise InvalidInput([FieldProblem("after", "INVALID_CURSOR", "not a cursor from this search")])
    return int(request.after) + 1



class SimilarIntervention(TypedDict):
    intervention: CandidateRow
    similarity: float          # the share of meaningful words in common, 0 to 1
    sharedTerms: list[str]

async def search_interventions(graph: Graph, text: str | None, filter: SearchFilter, sort: SearchSort,
                               request: PageRequest, viewer: Visibility) -> Page[dict[str, Any]]:
    """Ranked by relevance (full-text score), strength of evidence, or spread; paged by position."""
    filter = await _known_values(graph, filter.check(), viewer)
    if text is not None and len(text) > 500:
        raise InvalidInput([FieldProblem("text", "TOO_LONG", "search text is at most 500 characters")])
    offset = _offset(request)
    found = await search_graph.search(graph, fulltext_query(text), search_words(text), filter, sort, offset, request.first + 1, viewer)
    rows = [{**row, "position": str(offset + index)} for index, row in enumerate(found["rows"])]
    return Page.from_rows(rows, found["total"], offset, request, "position")


async def harm_areas(graph: Graph, viewer: Visibility) -> list[str]:
    """The harm areas in use, each once whatever its case, alphabetically."""
    return folded(await search_graph.harm_areas(graph, viewer))


async def _known_values(graph: Graph, filter: SearchFilter, viewer: Visibility) -> SearchFilter:
    """Text filters matched without regard to case; a value nobody uses is an error naming
    the known ones."""
    changes: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    regions = [name for name in ("originatingRegion", "adoptedInRegion") if getattr(filter, name)]
    if regions:
        codes = [row["code"] for row in await collaborative_graph.all_collaboratives(graph)]
        for name in regions:
            given = str(getattr(filter, name)).strip().upper()
            if given in codes:
                changes[name] = given
            else:
                problems.append(FieldProblem(f"filter.{name}", "UNKNOWN_VALUE",
                                             f"'{given[:40]}' is not a collaborative's code; the codes are {', '.join(codes)}"))
    if filter.harmArea:  # one in the list (a cheap read), else one in use (typed as another)
        given = filter.harmArea.strip().lower()
        known = await harm_area_list(graph)
        match = next((area for area in known if area.lower() == given), None)
        if match is None:
            known = folded([*known, *await harm_areas(graph, viewer)])
            match = next((area for area in known if area.lower() == given), None)
        if match is None:
            problems.append(FieldProblem("filter.harmArea", "UNKNOWN_VALUE",
                                         f"'{filter.harmArea[:60]}' is not a harm area in the list or in use; they are {', '.join(known)}"))
        changes["harmArea"] = match
    if problems:
        raise InvalidInput(problems)
    return replace(filter, **changes) if changes else filter


async def similar_interventions(graph: Graph, title: str, summary: str | None, viewer: Visibility, *,
                                limit: int = 5, threshold: float = 0.12) -> list[SimilarIntervention]:
    """Existing interventions that share enough meaningful words with a new title and summary."""
    text = f"{title} {summary or ''}"
    if not terms(text):
        raise InvalidInput([FieldProblem("title", "REQUIRED", "give a title (and a summary) to compare")])
    candidates = await search_graph.candidates_like(graph, fulltext_query(text), 25, viewer)
    scored: list[SimilarIntervention] = []
    for hit in candidates:
        value, shared = similarity(text, f"{hit['title']} {hit['summary']}")
        if value >= threshold:
            scored.append({"intervention": hit, "similarity": round(value, 3), "sharedTerms": list(shared)})
    scored.sort(key=lambda item: (-item["similarity"], item["intervention"]["id"]))
    return scored[:limit]


async def organisations_like_yours(graph: Graph, ods_code: str, viewer: Visibility) -> list[dict[str, Any]]:
    """Interventions adopted (stage 5+) by organisations like this one elsewhere, not yet here."""
    code = ods.normalise(ods_code)
    rows = await search_graph.adopted_by_similar(graph, code, ADOPTED, viewer)
    return [{"intervention": row["intervention"], "adoptedBy": row["why"]} for row in rows]


async def whom_to_ask(graph: Graph, intervention: str, ods_code: str, viewer: Visibility) -> list[dict[str, Any]]:
    """Adopters worth asking, in a care setting like the asker's, with a consenting contact:
    those in routine practice (stage 5 or above) first; then nearest (same ICB, same
    collaborative, the rest of England); further along the scale first. Each organisation, and
    each contact, once."""
    found = await search_graph.adopters_with_contacts(graph, intervention, ods.normalise(ods_code), viewer)
    if found is None:
        return []
    delivered = found["delivered"]
    # the settings that matter: where the intervention is delivered that the asker works in too
    relevant = [s for s in delivered if setting_fits(s, found["settings"])] or delivered
    answers = []
    for adopter in found["adopters"]:
        theirs = adopter["adoptedIn"] or adopter["careSettings"]
        if relevant and not any(setting_fits(s, relevant) for s in theirs):
            continue
        if found["icb"] and adopter["icb"] == found["icb"]:
            proximity = "SAME_ICB"
        elif found["collaborative"] and adopter["collaborative"] == found["collaborative"]:
            proximity = "SAME_COLLABORATIVE"
        else:
            proximity = "NATIONAL"
        answers.append({**adopter, "proximity": proximity, "contact": json.loads(adopter["contact"])})
    answers.sort(key=lambda a: ((a["stage"] or 0) < ADOPTED, PROXIMITY.index(a["proximity"]),
                                -(a["stage"] if a["stage"] is not None else -1), a["organisation"]))
    seen: set[str] = set()
    once = []
    for answer in answers:
        person = str(answer["contact"].get("email") or "").lower()
        if answer["organisation"] in seen or (person and person in seen):
            continue
        seen.update({answer["organisation"], person} - {""})
        once.append(answer)
    return once
