"""The controlled list of harm areas: where it starts (data/harm_areas.csv), how two names are
compared ('falls' is 'Falls'), and folding names into one list."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from collab_api.domain.learning_loop import harm_area_key

__all__ = ["first_list", "folded", "harm_area_key"]


@cache
def first_list() -> tuple[str, ...]:
    """The harm areas the platform starts with."""
    lines = (Path(__file__).parent / "data" / "harm_areas.csv").read_text(encoding="utf-8").splitlines()
    return tuple(" ".join(line.split()) for line in lines if line.strip() and not line.startswith("#"))


def folded(names: Iterable[str]) -> list[str]:
    """Each harm area once, whatever its case or spacing (the first spelling met), alphabetically."""
    areas: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            areas.setdefault(harm_area_key(name), " ".join(name.split()))
    return sorted(areas.values(), key=str.lower)
