"""What a field's selection asks for, where a resolver can answer a plain selection more cheaply."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLObjectType, get_named_type
from graphql.execution.values import get_argument_values


def selected_fields(info: Any) -> set[str] | None:
    """The names of the fields selected under this field (None when a fragment is among them:
    the caller then answers in full rather than work out what the fragment holds)."""
    names: set[str] = set()
    for node in info.field_nodes:
        for selection in (node.selection_set.selections if node.selection_set else []):
            if not isinstance(selection, FieldNode):
                return None
            names.add(selection.name.value)
    return names


def selected_under(info: Any, child: str) -> set[str] | None:
    """The names selected under the field `child` of this field's selection (a list's items'
    `child`); empty when `child` is not selected; None when a fragment stands in the way."""
    names: set[str] = set()
    for node in info.field_nodes:
        for selection in (node.selection_set.selections if node.selection_set else []):
            if not isinstance(selection, FieldNode):
                return None
            if selection.name.value == child:
                for inner in (selection.selection_set.selections if selection.selection_set else []):
                    if not isinstance(inner, FieldNode):
                        return None
                    names.add(inner.name.value)
    return names


def child_field(info: Any, child: str) -> tuple[dict[str, Any], set[str] | None] | None:
    """The arguments of the field `child` selected under this field's items, with the names
    selected under it: what a list's resolver needs to load ahead what its items' `child`
    will ask. None when it is not selected, or selected more than once (aliases), or behind a
    fragment, or its arguments are not valid (the field itself then reports them)."""
    found: list[FieldNode] = []
    for node in info.field_nodes:
        for selection in (node.selection_set.selections if node.selection_set else []):
            if not isinstance(selection, FieldNode):
                return None
            if selection.name.value == child:
                found.append(selection)
    item_type = get_named_type(info.return_type)
    if len(found) != 1 or not isinstance(item_type, GraphQLObjectType) or child not in item_type.fields:
        return None
    try:
        arguments = get_argument_values(item_type.fields[child], found[0], info.variable_values)
    except GraphQLError:
        return None
    names: set[str] | None = set()
    for inner in (found[0].selection_set.selections if found[0].selection_set else []):
        if not isinstance(inner, FieldNode):
            names = None
            break
        names.add(inner.name.value)  # type: ignore[union-attr]
    return arguments, names
