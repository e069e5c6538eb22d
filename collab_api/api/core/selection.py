"""What a field's selection asks for, where a resolver can answer a plain selection more cheaply."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLObjectType, get_named_type
from graphql.execution.values import get_argument_values


def _names(nodes: Iterable[FieldNode]) -> set[str] | None:
    """The names of the fields selected under these nodes (None when a fragment is among them)."""
    names: set[str] = set()
    for node in nodes:
        for selection in (node.selection_set.selections if node.selection_set else []):
            if not isinstance(selection, FieldNode):
                return None
            names.add(selection.name.value)
    return names


def _children(info: Any, child: str) -> list[FieldNode] | None:
    """The nodes of the field `child` selected under this field (None when a fragment is among
    the selections: what it holds is not worked out)."""
    found: list[FieldNode] = []
    for node in info.field_nodes:
        for selection in (node.selection_set.selections if node.selection_set else []):
            if not isinstance(selection, FieldNode):
                return None
            if selection.name.value == child:
                found.append(selection)
    return found


def selected_fields(info: Any) -> set[str] | None:
    """The names of the fields selected under this field (None when a fragment is among them:
    the caller then answers in full rather than work out what the fragment holds)."""
    return _names(info.field_nodes)


def selected_under(info: Any, child: str) -> set[str] | None:
    """The names selected under the field `child` of this field's selection (a list's items'
    `child`); empty when `child` is not selected; None when a fragment stands in the way."""
    found = _children(info, child)
    return None if found is None else _names(found)


def child_field(info: Any, child: str) -> tuple[dict[str, Any], set[str] | None] | None:
    """The arguments of the field `child` selected under this field's items, with the names
    selected under it: what a list's resolver needs to load ahead what its items' `child`
    will ask. None when it is not selected, or selected more than once (aliases), or behind a
    fragment, or its arguments are not valid (the field itself then reports them)."""
    found = _children(info, child)
    item_type = get_named_type(info.return_type)
    if found is None or len(found) != 1 or not isinstance(item_type, GraphQLObjectType) or child not in item_type.fields:
        return None
    try:
        arguments = get_argument_values(item_type.fields[child], found[0], info.variable_values)
    except GraphQLError:
        return None
    return arguments, _names(found)
