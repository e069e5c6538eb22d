"""Reading a stage cell as people type it: the stage labels, "not applicable" answers, or
nothing. Stray spaces, case and dash variants are tolerated; anything else is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collab_api.domain.stages import STAGES

_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_LABELS = {re.sub(r"\s*-\s*", " - ", s.label.lower()): s.stage for s in STAGES}
# The national team's scripts count these three apart, and only these: any other text is refused.
NOT_APPLICABLE_TEXTS = ("No adult patients", "No paediatric patients", "Not applicable")
_NOT_APPLICABLE = {text.lower(): text for text in NOT_APPLICABLE_TEXTS}
_CHOICES = ", ".join(f"'{text}'" for text in NOT_APPLICABLE_TEXTS)


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
    if text.lower() in _NOT_APPLICABLE:
        return StageCell(not_applicable=_NOT_APPLICABLE[text.lower()])
    if re.match(r"^stage\s*\d", text, re.IGNORECASE):
        return StageCell(problem=f"'{text[:60]}' is not one of the eight stages 'Stage 0 - No contact' to 'Stage 7 - Sustained'")
    return StageCell(problem=f"'{text[:60]}' is neither a stage nor one of the not-applicable answers {_CHOICES}")


def stage_label(stage: int) -> str:
    return STAGES[stage].label
