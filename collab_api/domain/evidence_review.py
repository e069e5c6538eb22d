"""Evidence review: what an intervention's own team claims, kept apart from what someone else
reviewed. Modelled on NICE's shared learning database (each example checked against published
criteria before it is published, and refreshed after two years) and on AHRQ's Innovations
Exchange (every profile given an evidence rating: strong, moderate or suggestive).

A lead submits the evidence; the national team reviews it against the criteria and records a
rating with its reasons and the date the review lapses. A status that claims an effect
(`PROVEN`) is shown as self-reported until a current review rates the evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from collab_api.domain.errors import Problems
from collab_api.domain.permissions import Actor, Role
from collab_api.domain.vocabulary import InterventionStatus

REVIEW_YEARS = 2  # NICE asks for shared learning examples to be refreshed after two years
REASONS_AT_LEAST = 40  # characters: a rating comes with reasons a reader can weigh


class Rating(str, Enum):
    STRONG = "STRONG"
    MODERATE = "MODERATE"
    SUGGESTIVE = "SUGGESTIVE"
    INSUFFICIENT = "INSUFFICIENT"


RATING_MEANINGS = {  # AHRQ Innovations Exchange's evidence ratings, in words a reader can use
    Rating.STRONG: "Strong: the evidence is convincing that the change caused the improvement (a controlled comparison, "
                   "or consistent results across sites, with measures before and after).",
    Rating.MODERATE: "Moderate: the evidence suggests the change caused the improvement, but other explanations remain "
                     "possible (measured before and after, with a run or control chart, at one or a few sites).",
    Rating.SUGGESTIVE: "Suggestive: the results are promising but not yet shown to come from the change (few data, "
                       "anecdote, or no baseline).",
    Rating.INSUFFICIENT: "Insufficient: the evidence submitted does not support a claim of effect yet.",
}


@dataclass(frozen=True)
class Criterion:
    code: str
    text: str


# The questions the reviewer answers (after NICE's shared learning criteria and SQUIRE).
CRITERIA = (
    Criterion("PROBLEM", "The problem and its context are described, with why the change was needed"),
    Criterion("BASELINE", "There is a baseline, measured before the change"),
    Criterion("MEASURED", "Results are measured with named outcome and process measures, over time"),
    Criterion("ATTRIBUTABLE", "The improvement can be attributed to the change (a comparison, or a chart with a signal)"),
    Criterion("BALANCING", "Unintended consequences and balancing measures are reported"),
    Criterion("TRANSFERABLE", "It is described well enough to be repeated elsewhere (what, who, how, where, how much)"),
    Criterion("PATIENTS", "Patients, carers or families were involved in the design or the review"),
)
CRITERION_CODES = {c.code for c in CRITERIA}

EFFECT_CLAIMS = {InterventionStatus.PROVEN.value}  # statuses a reader takes as "it works"


class Assurance(str, Enum):
    REVIEWED = "REVIEWED"  # a current review by the national team, rated
    AWAITING_REVIEW = "AWAITING_REVIEW"  # submitted, not yet reviewed
    REVIEW_DUE = "REVIEW_DUE"  # reviewed, but the review has lapsed
    SELF_REPORTED = "SELF_REPORTED"  # never submitted: what the team says


def assurance(reviewed: dict[str, object] | None, awaiting: bool, today: dt.date) -> Assurance:
    """How far what is said of an intervention has been checked by someone else: its latest
    completed review (rating, dueOn), and whether evidence awaits review."""
    if reviewed is not None and _current(reviewed.get("dueOn"), today):
        return Assurance.REVIEWED
    if awaiting:
        return Assurance.AWAITING_REVIEW
    return Assurance.REVIEW_DUE if reviewed is not None else Assurance.SELF_REPORTED


def _current(due: object, today: dt.date) -> bool:
    return isinstance(due, dt.date) and due >= today


def claim_is_reviewed(status: str, reviewed: dict[str, object] | None, today: dt.date) -> bool:
    """Does the status stand as reviewed? A status claiming an effect needs a current review
    rating the evidence at least suggestive; any other status stands as it is."""
    if status not in EFFECT_CLAIMS:
        return True
    return (reviewed is not None and _current(reviewed.get("dueOn"), today)
            and reviewed.get("rating") not in (None, Rating.INSUFFICIENT.value))


def lapse_date(today: dt.date, years: int = REVIEW_YEARS) -> dt.date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def may_submit(actor: Actor, collaborative: str | None) -> bool:
    return actor.role == Role.NATIONAL or (actor.role == Role.LEAD and actor.collaborative == collaborative)


def may_review(actor: Actor, collaborative: str | None) -> bool:
    """The national team reviews; never anyone of the submitting collaborative."""
    return actor.role == Role.NATIONAL and (actor.collaborative is None or actor.collaborative != collaborative)


def check_review(problems: Problems, rating: str | None, criteria: list[str], reasons: str | None,
                 due_on: dt.date | None, today: dt.date) -> dt.date:
    """Refusals of a review, field by field; returns the date it lapses (two years by default)."""
    if rating not in {r.value for r in Rating}:
        problems.add("rating", "REQUIRED", f"choose a rating: {', '.join(r.value.lower() for r in Rating)}")
    unknown = [c for c in criteria if c not in CRITERION_CODES]
    if unknown:
        problems.add("criteria", "UNKNOWN", f"not criteria of the review: {', '.join(unknown[:5])}")
    if not reasons or len(reasons.strip()) < REASONS_AT_LEAST:
        problems.add("reasons", "TOO_SHORT", f"give the reasons for the rating, in at least {REASONS_AT_LEAST} characters")
    lapses = due_on or lapse_date(today)
    if lapses <= today or lapses > lapse_date(today, 3):
        problems.add("reviewDueOn", "OUT_OF_RANGE", "the review lapses after today and within three years")
    return lapses
