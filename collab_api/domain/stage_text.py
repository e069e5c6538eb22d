"""Reading a stage cell as people type it: the stage labels, "not applicable" answers, or
nothing. Stray spaces, case and dash variants are tolerated; anything else is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collab_api.domain.stages import STAGES

_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_LABELS = {re.sub(r"\s*-\s*", " - ", s.label.lower()): s.stage for s in STAGES}
_NOT_APPLICABLE = re.compile(r"^(no\s+[a-z][a-z &/-]*\s+patients?|n/?a|not applicable)$", re.IGNORECASE)


@dataclass(frozen=True)
class StageCell:
    stage: int | None = None
    not_applicable: str | None = None
    empty: bool = False
    problem: str | None = None


def normalise(text: str) -> str:
    text = _SPACES.sub(" ", text.translate(_DASHES)).strip()
    return re.sub(r"\s*-\s*", " - ", text)


def read_stage(value: object) -> StageCell:
    if value is None or (isinstance(value, str) and not value.strip()):
        return StageCell(empty=True)
    if not isinstance(value, str):
        return StageCell(problem=f"expected a stage such as 'Stage 4 - Testing or Implementation', got {value!r}")
    text = normalise(value)
    if text.lower() in _LABELS:
        return StageCell(stage=_LABELS[text.lower()])
    if _NOT_APPLICABLE.match(text):
        return StageCell(not_applicable=text[0].upper() + text[1:])
    if re.match(r"^stage\s*\d", text, re.IGNORECASE):
        return StageCell(problem=f"'{text[:60]}' is not one of the eight stages 'Stage 0 - No contact' to 'Stage 7 - Sustained'")
    return StageCell(problem=f"'{text[:60]}' is neither a stage nor a 'not applicable' answer such as 'No adult patients'")


def stage_label(stage: int) -> str:
    return STAGES[stage].label
