"""Finding interventions: the full-text query, filters and sorts, and "looks like the same idea"."""

from __future__ import annotations

import datetime as dt

import difflib
import re
from pathlib import Path
from dataclasses import asdict, dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.stages import HIGHEST, LOWEST
from collab_api.domain.vocabulary import SETTING_PARENT, setting_and_within

_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The word's stem (Snowball English): falls -> fall, escalating and escalation -> escal."""
    return str(_STEMMER.stemWord(word))

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*", re.IGNORECASE)
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
STOPWORDS = frozenset("""a an and are as at be by for from has have in into is it its of on or that the their this to
    was were will with without who whom what when where which how we our you your they them not no so than then""".split())
MAX_TERMS = 12


RATING_ORDER = ["STRONG", "MODERATE", "SUGGESTIVE", "INSUFFICIENT"]  # strongest first (domain/evidence_review.py)


class SearchSort(str, Enum):
    RELEVANCE = "RELEVANCE"
    EVIDENCE = "EVIDENCE"  # strongest evidence type first, then the furthest along the lifecycle
    RATING = "RATING"  # the strongest current evidence rating (reviewed by the national team) first
    SPREAD = "SPREAD"  # most organisations reached first


@dataclass(frozen=True)
class SearchFilter:
    careSetting: str | None = None
    harmArea: str | None = None
    evidenceType: str | None = None
    status: str | None = None
    originatingRegion: str | None = None
    adoptedInRegion: str | None = None
    minimumStageReached: int | None = None
    minimumEvidenceRating: str | None = None  # a current review rating at least this (STRONG > MODERATE > SUGGESTIVE)

    def params(self) -> dict[str, Any]:
        """The Cypher parameters: a care setting stands for itself, the finer settings within it
        and the broad one it sits in (ACUTE finds ADULT_INPATIENT and the other way round)."""
        values = asdict(self)
        setting = values.pop("careSetting")
        least = values.pop("minimumEvidenceRating")
        values["evidenceRatings"] = None if least is None else RATING_ORDER[:RATING_ORDER.index(least) + 1]
        values["today"] = dt.date.today().isoformat()
        values["careSettings"] = None if setting is None else sorted(
            setting_and_within(setting) | ({SETTING_PARENT[setting]} if setting in SETTING_PARENT else set()))
        return values

    def check(self) -> SearchFilter:
        if self.minimumStageReached is not None and not LOWEST <= self.minimumStageReached <= HIGHEST:
            raise InvalidInput([FieldProblem("filter.minimumStageReached", "OUT_OF_SCALE", "a stage is 0 to 7")])
        return self


def terms(text: str | None) -> list[str]:
    """The words that carry meaning, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall((text or "").lower()):
        word = word.strip("'-")
        if len(word) > 1 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS * 4]


def _synonym_groups() -> list[tuple[str, ...]]:
    """The safety vocabulary's groups of terms that mean the same (data/safety_synonyms.csv)."""
    groups = []
    for line in (Path(__file__).parent / "data" / "safety_synonyms.csv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            groups.append(tuple(term.strip().lower() for term in line.split(",") if term.strip()))
    return groups


SYNONYM_GROUPS = _synonym_groups()


def _groups_in(text: str | None) -> tuple[list[tuple[str, ...]], set[str]]:
    """The vocabulary's groups one of the text's words (or phrases) belongs to, and those words."""
    lowered = f" {' '.join(_WORD.findall((text or '').lower()))} "
    words = set(terms(text))
    return [group for group in SYNONYM_GROUPS
            if any((f" {term} " in lowered) if " " in term else term in words for term in group)], words


def synonyms(text: str | None) -> list[str]:
    """The terms of every group that one of the text's words (or phrases) belongs to, other
    than those words themselves: 'warfarin' brings 'anticoagulant', 'doac' ...; 'PINCER'
    brings 'medicines', 'prescribing' ..."""
    groups, words = _groups_in(text)
    return list(dict.fromkeys(term for group in groups for term in group if term not in words))


def index_terms(text: str) -> list[str]:
    """What the search text of an intervention also holds: the name of each group its words
    belong to (so that 'DOAC' is found as 'anticoagulant' even without the full-text index)."""
    return [group[0] for group in _groups_in(text)[0]]


def search_words(text: str | None) -> list[str]:
    """The words (and the synonyms' terms) matched without the full-text index."""
    return [*terms(text)[:MAX_TERMS], *synonyms(text)][:MAX_TERMS * 4]


def fulltext_query(text: str | None) -> str | None:
    """A Lucene query: each term exactly (boosted) or its stem as a prefix ('falls' finds
    'fall', 'escalating' finds 'escalation'); and each synonym of the safety vocabulary, below
    the words typed ('warfarin' finds 'anticoagulant')."""
    words = terms(text)[:MAX_TERMS]
    if not words:
        return None
    parts = []
    for word in words:
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", word)
        root = stem(word)
        prefix = _LUCENE_SPECIAL.sub(r"\\\1", root if len(root) >= 3 else word)
        parts.append(f"({escaped}^2 OR {prefix}*)" if len(word) >= 3 else escaped)
    for term in synonyms(text)[:MAX_TERMS * 3]:
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", term)
        parts.append(f'"{escaped}"^0.3' if " " in term else f"{escaped}^0.3")
    return " OR ".join(parts)


def similarity(a: str, b: str) -> tuple[float, list[str]]:
    """How much two descriptions share: the Jaccard index of their meaningful words, and
    the words shared (the explanation shown to a lead)."""
    left, right = {stem(t): t for t in terms(a)}, {stem(t): t for t in terms(b)}
    if not left or not right:
        return 0.0, []
    shared = left.keys() & right.keys()
    # The Jaccard index, or the share of the shorter text's words found in the longer one when
    # that is higher (a short new title against a long existing one), a little discounted.
    jaccard = len(shared) / len(left.keys() | right.keys())
    overlap = 0.8 * len(shared) / min(len(left), len(right))
    return max(jaccard, overlap), sorted(left[s] for s in shared)


def close_terms(text: str | None, known: list[str], limit: int = 5) -> list[str]:
    """Terms like the ones typed (a misspelling, another form), from the safety vocabulary and
    the harm areas in use: what a search that found nothing suggests instead."""
    vocabulary = {term for group in SYNONYM_GROUPS for term in group} | {area.lower() for area in known}
    found: dict[str, None] = {}
    for word in terms(text)[:MAX_TERMS]:
        if word in vocabulary:
            continue
        for term in difflib.get_close_matches(word, sorted(vocabulary), n=3, cutoff=0.75):
            found.setdefault(term, None)
    return list(found)[:limit]
