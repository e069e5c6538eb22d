"""Running one GraphQL operation against the schema: parse, validate (with the depth limit),
execute as a viewer, count database round trips. The HTTP endpoint and the web pages both run
operations through here, so every rule of the API holds on the pages too."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from functools import lru_cache
from inspect import isawaitable
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, OperationType, execute, parse, specified_rules, validate

from collab_api.api import limits as limit_rules
from collab_api.api import result_cache
from collab_api.api.context import RequestContext
from collab_api.api.executor import FastExecutionContext
from collab_api.api.core.errors import format_error
from collab_api.api.schema import schema
from collab_api.config import Settings
from collab_api import telemetry
from collab_api.db.graph import Graph, count_round_trips
from collab_api.domain.permissions import Actor


@dataclass
class Outcome:
    """What running an operation gave: data, formatted errors, and the round trips it cost.
    `refused` is set when the document did not parse or validate (nothing was executed)."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)
    round_trips: int = 0
    refused: bool = False
    timed_out: bool = False
    cached: bool = False  # served from the result cache (api/result_cache.py): no database round trip but the version's


def limits_of(settings: Settings) -> limit_rules.Limits:
    return limit_rules.Limits(settings.max_query_depth, settings.max_aliases, settings.max_tokens, settings.max_cost)


def parsed(query: str, limits: limit_rules.Limits) -> DocumentNode:
    """Raises GraphQLError when the document does not parse or holds too many tokens."""
    try:
        return parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as exc:
        if "tokens" in exc.message and "Parsing aborted" in exc.message:
            raise limit_rules.error(f"the document holds more than {limits.max_tokens} tokens, the limit",
                                    "TOO_MANY_TOKENS") from exc
        raise


def validation_errors(document: DocumentNode, limits: limit_rules.Limits,
                      variables: dict[str, Any] | None = None) -> list[GraphQLError]:
    """The document's size with its fragments expanded first (the standard rules' cost grows with
    it), then the standard rules (fragment cycles, unknown fragments ...), then the limits."""
    if (refusal := limit_rules.too_large(document, limits)) is not None:
        return [refusal]
    problems = list(validate(schema.graphql_schema, document, specified_rules))
    return problems or limit_rules.check(document, limits, schema.graphql_schema, variables)


def is_mutation(document: DocumentNode, operation_name: str | None) -> bool:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None or (definition.name and definition.name.value == operation_name):
                return definition.operation != OperationType.QUERY
    return False


async def run_document(document: DocumentNode, *, graph: Graph, settings: Settings, viewer: Actor,
                       variables: dict[str, Any] | None = None, operation_name: str | None = None,
                       source: str | None = None) -> Outcome:
    """Execute a parsed and validated document as `viewer`. A query given with its `source`
    text is answered from the result cache when nothing has changed since it was last read by
    the same visibility class (api/result_cache.py)."""
    name = operation_name or operation_name_of(document)
    with telemetry.tracer.start_as_current_span(f"graphql {name or 'anonymous'}", attributes={
            "graphql.operation.name": name or "", "enduser.role": viewer.role.value}) as span:
        variables_key = result_cache.variables_key(variables)
        if source is None or settings.cache_entries <= 0 or variables_key is None or is_mutation(document, operation_name):
            return await _execute(document, graph=graph, settings=settings, viewer=viewer, variables=variables,
                                  operation_name=operation_name, name=name)
        cache = result_cache.cache_for(graph, "results", settings.cache_entries, settings.cache_seconds)
        with count_round_trips() as version_read:
            version = await result_cache.current_version(graph)
        key = (source, operation_name, variables_key, result_cache.visibility_class(viewer), result_cache.today())
        kept = cache.get(key, version)
        span.set_attribute("collab.cached", kept is not None)
        if kept is not None:
            telemetry.note_operation(name, viewer.role.value, [])
            return Outcome(json.loads(kept), [], version_read.count, cached=True)
        outcome = await _execute(document, graph=graph, settings=settings, viewer=viewer, variables=variables,
                                 operation_name=operation_name, name=name)
        if not outcome.errors and not outcome.timed_out:
            cache.put(key, version, json.dumps(outcome.data))  # kept as text: no caller can change what others get
        outcome.round_trips += version_read.count
        return outcome


async def _execute(document: DocumentNode, *, graph: Graph, settings: Settings, viewer: Actor,
                   variables: dict[str, Any] | None, operation_name: str | None, name: str | None) -> Outcome:
    context = RequestContext(graph=graph, settings=settings, viewer=viewer)
    with count_round_trips() as round_trips:
        result = execute(schema.graphql_schema, document, variable_values=variables,
                         operation_name=operation_name, context_value=context,
                         execution_context_class=FastExecutionContext)
        if isawaitable(result):
            try:
                result = await asyncio.wait_for(result, timeout=settings.request_seconds)
            except asyncio.TimeoutError:
                telemetry.note_operation(name, viewer.role.value, ["TIMEOUT"])
                return Outcome(None, [{"message": f"the request took longer than {settings.request_seconds:g} seconds "
                                                  "and was stopped", "extensions": {"code": "TIMEOUT"}}],
                               round_trips.count, timed_out=True)
    errors = [format_error(error) for error in result.errors or []]
    telemetry.note_operation(name, viewer.role.value, [str((e.get("extensions") or {}).get("code") or "ERROR") for e in errors])
    return Outcome(result.data, errors, round_trips.count)


def operation_name_of(document: DocumentNode) -> str | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.name.value if definition.name else None
    return None


@lru_cache(maxsize=256)
def _prepared(query: str, limits: limit_rules.Limits) -> tuple[DocumentNode | None, tuple[str, ...]]:
    try:
        document = parsed(query, limits)
    except GraphQLError as error:
        return None, (error.message,)
    problems = validation_errors(document, limits)
    return (None, tuple(e.message for e in problems)) if problems else (document, ())


async def run_operation(query: str, *, graph: Graph, settings: Settings, viewer: Actor,
                        variables: dict[str, Any] | None = None) -> Outcome:
    """Parse (once per distinct document), validate and run an operation the application
    itself wrote, such as a page's document."""
    document, problems = _prepared(query, limits_of(settings))
    if document is None:
        return Outcome(None, [{"message": message} for message in problems], refused=True)
    return await run_document(document, graph=graph, settings=settings, viewer=viewer, variables=variables, source=query)
