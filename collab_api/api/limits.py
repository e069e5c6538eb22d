"""Limits applied to a document before anything is executed, each refusal a GraphQL error
naming the limit (extensions.code): depth (counted through fragments; introspection's own
fields are not counted, so GraphiQL works), aliases (every use, through fragments), tokens
(while parsing). They run after the standard validation rules, so a fragment cycle or an
unknown fragment is reported by those, never followed here."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode,
    OperationDefinitionNode, SelectionSetNode,
)


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 1000


def error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _walk(selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], depth: int,
          found: dict[str, int]) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection
            if selection.alias is not None:
                found["aliases"] += 1
            found["depth"] = max(found["depth"], depth + 1)
            _walk(selection.selection_set, fragments, depth + 1, found)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, fragments, depth, found)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _walk(fragment.selection_set, fragments, depth, found)


def check(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """The limits this (already validated) document exceeds."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    problems = []
    for operation in (d for d in document.definitions if isinstance(d, OperationDefinitionNode)):
        found = {"depth": 0, "aliases": 0}
        _walk(operation.selection_set, fragments, 0, found)
        name = f"'{operation.name.value}'" if operation.name else "the operation"
        if found["depth"] > limits.max_depth:
            problems.append(error(f"{name} exceeds maximum operation depth of {limits.max_depth} (it is nested "
                                  f"{found['depth']} fields deep, fragments included)", "TOO_DEEP"))
        if found["aliases"] > limits.max_aliases:
            problems.append(error(f"{name} uses {found['aliases']} aliases; at most {limits.max_aliases} are allowed",
                                  "TOO_MANY_ALIASES"))
    return problems
