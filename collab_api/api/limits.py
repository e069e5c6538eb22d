"""Limits applied to a document before anything is executed, each refusal a GraphQL error
naming the limit (extensions.code): depth (counted through fragments; introspection's own
fields are not counted, so GraphiQL works), aliases (every use, through fragments), tokens
(while parsing). They run after the standard validation rules, so a fragment cycle or an
unknown fragment is reported by those, never followed here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLError, GraphQLObjectType, GraphQLSchema,
    InlineFragmentNode, IntValueNode, OperationDefinitionNode, SelectionSetNode, VariableNode, get_named_type,
)

# Fields that cost more than one: what they compute reaches far into the graph.
WEIGHTS = {"spreadReport": 100, "adoptionTree": 50, "regionsReached": 50, "networkOverview": 30,
           "organisationsLikeYours": 30, "searchInterventions": 10, "similarInterventions": 10, "whomToAsk": 10,
           "learningHistory": 10, "auditTrail": 5, "quarterlyReturnWorkbook": 50, "importQuarterlyReturn": 100}
DEFAULT_FIRST = 20
# Pages sliced from a list the parent worked out once (its weight pays for that), their items'
# references loaded a batch per level: a longer page does not multiply the work below it.
SLICES = {("SpreadReport", name) for name in ("sitesAtOrBelow", "sitesNotReported", "sitesWentSilent", "sitesNeverTookPart",
                                             "sitesStuck")} | {("Movement", "items"), ("Intervention", "adoptionTree"),
                                                                        ("Organisation", "learningHistory")}


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 1000
    max_cost: int = 5000
    max_selections: int = 2000


def expanded_selections(document: DocumentNode) -> int:
    """How many selections the largest operation holds with every fragment spread expanded,
    worked out once per fragment (a spread of a fragment already counted costs a lookup), so
    that 7 levels of 10 spreads (10 million selections) is refused in microseconds, before the
    standard rules, which compare overlapping fields pair by pair, ever see it. A fragment in a
    cycle counts as nothing here: the standard rules refuse cycles."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def size(selection_set: SelectionSetNode | None) -> int:
        total = 0
        for selection in (selection_set.selections if selection_set else ()):
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += 1 + fragment_size(selection.name.value)
        return total

    def fragment_size(name: str) -> int:
        if name in sizes:
            return sizes[name]
        fragment = fragments.get(name)
        if fragment is None or name in visiting:
            return 0
        visiting.add(name)
        sizes[name] = size(fragment.selection_set)
        visiting.discard(name)
        return sizes[name]

    return max((size(d.selection_set) for d in document.definitions if isinstance(d, OperationDefinitionNode)), default=0)


def too_large(document: DocumentNode, limits: Limits) -> GraphQLError | None:
    """The refusal of a document too large once its fragments are expanded, if it is."""
    selections = expanded_selections(document)
    if selections > limits.max_selections:
        return error(f"the document holds {selections} selections once its fragments are expanded; at most "
                     f"{limits.max_selections} are allowed", "TOO_MANY_SELECTIONS")
    return None


def _first(field: FieldNode, variables: dict[str, Any]) -> int | None:
    """The `first` a field asks for, if it takes one (literal or variable; default 20)."""
    for argument in field.arguments:
        if argument.name.value == "first":
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return given if isinstance(given, int) else DEFAULT_FIRST
            return DEFAULT_FIRST
    return None


def cost(schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None = None) -> int:
    """Every field costs 1 (plus its weight), times the `first` of every list above it."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    variables = variables or {}

    def walk(selection_set: SelectionSetNode | None, parent: Any, factor: int) -> int:
        total = 0
        for selection in (selection_set.selections if selection_set else ()):
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                definition = parent.fields.get(name) if isinstance(parent, GraphQLObjectType) else None
                child = get_named_type(definition.type) if definition else None
                first = _first(selection, variables)
                if isinstance(parent, GraphQLObjectType) and (parent.name, name) in SLICES:
                    first = None
                total += factor * (1 + WEIGHTS.get(name, 0))
                total += walk(selection.selection_set, child, factor * (first if first is not None else 1))
            elif isinstance(selection, InlineFragmentNode):
                typed = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                total += walk(selection.selection_set, typed, factor)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                fragment = fragments[selection.name.value]
                total += walk(fragment.selection_set, schema.get_type(fragment.type_condition.name.value), factor)
        return total

    roots = {"query": schema.query_type, "mutation": schema.mutation_type}
    return max((walk(d.selection_set, roots.get(d.operation.value), 1)
                for d in document.definitions if isinstance(d, OperationDefinitionNode)), default=0)


def introspects(document: DocumentNode) -> bool:
    """Does the document ask for the schema itself (__schema or __type)?"""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> bool:
        for selection in (selection_set.selections if selection_set else ()):
            if isinstance(selection, FieldNode) and selection.name.value in ("__schema", "__type"):
                return True
            if isinstance(selection, FieldNode) and walk(selection.selection_set):
                return True
            if isinstance(selection, InlineFragmentNode) and walk(selection.selection_set):
                return True
            if isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None and walk(fragment.selection_set):
                    return True
        return False

    return any(walk(d.selection_set) for d in document.definitions if isinstance(d, OperationDefinitionNode))


_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def without_suggestions(message: str) -> str:
    """A validation message without graphql's "Did you mean ...?" (it names fields)."""
    return _SUGGESTION.sub("", message)


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


def check(document: DocumentNode, limits: Limits, schema: GraphQLSchema | None = None,
          variables: dict[str, Any] | None = None) -> list[GraphQLError]:
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
    if schema is not None and not problems:
        total = cost(schema, document, variables)
        if total > limits.max_cost:
            problems.append(error(f"the document would cost {total}; the limit is {limits.max_cost} (every field costs 1, "
                                  "times the `first` of the lists above it; the spread report and lineage weigh more)",
                                  "TOO_COSTLY"))
    return problems
