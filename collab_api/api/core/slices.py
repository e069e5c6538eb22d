"""Pages sliced from a list a resolver worked out whole (the spread report's lists of sites,
the adoption tree), or cut by the query (an organisation's history): `first` and `offset`,
each checked by name. Other lists read from the graph a page at a time use cursors (domain/paging.py)."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.domain.errors import FieldProblem, InvalidInput

MAX_PAGE = 5_000


def slice_arguments(default: int) -> dict[str, Any]:
    """The `first` and `offset` arguments of a field that gives such a page."""
    return {"first": graphene.Int(default_value=default, description=f"How many to give (default {default}, at most {MAX_PAGE})."),
            "offset": graphene.Int(default_value=0, description="How many to skip first (default 0).")}


def checked(first: int | None, offset: int | None, *, default: int) -> tuple[int, int]:
    """`first` (its default when not given) and `offset`, each checked by name."""
    first = default if first is None else first
    offset = offset or 0
    problems = []
    if not 0 <= first <= MAX_PAGE:
        problems.append(FieldProblem("first", "OUT_OF_RANGE", f"first is 0 to {MAX_PAGE}"))
    if offset < 0:
        problems.append(FieldProblem("offset", "OUT_OF_RANGE", "offset is 0 or more"))
    if problems:
        raise InvalidInput(problems)
    return first, offset


def page_of(items: list[Any], first: int | None, offset: int | None, *, default: int) -> list[Any]:
    """One page of a list worked out whole (first and offset checked, each by name)."""
    first, offset = checked(first, offset, default=default)
    return items[offset:offset + first]
