"""What a field's selection asks for, where a resolver can answer a plain selection more cheaply."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode


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
