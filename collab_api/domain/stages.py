"""The national eight-stage scale of adoption (graph_seed/reference/adoption_stages.csv)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    stage: int
    label: str
    meaning: str


STAGES: tuple[Stage, ...] = (
    Stage(0, "Stage 0 - No contact", "The organisation has had no contact about the intervention"),
    Stage(1, "Stage 1 - Knowledge", "Aware of the intervention"),
    Stage(2, "Stage 2 - Interest", "Interested and exploring it"),
    Stage(3, "Stage 3 - Decision", "Has decided to adopt"),
    Stage(4, "Stage 4 - Testing or Implementation", "Testing or implementing it"),
    Stage(5, "Stage 5 - Adoption", "Adopted in routine practice"),
    Stage(6, "Stage 6 - Spread", "Spreading it to further units or sites"),
    Stage(7, "Stage 7 - Sustained", "Sustained over time"),
)
LOWEST, HIGHEST = 0, 7
ADOPTED = 5  # "adopted in routine practice" and beyond
REACHED = 1  # an organisation at stage 1 or above has been reached by the intervention


def stage(number: int) -> Stage:
    return STAGES[number]


def is_valid(number: int) -> bool:
    return LOWEST <= number <= HIGHEST
