"""GraphQL over HTTP: POST (and GET for queries) on /graphql; GraphiQL in development.

Request errors (malformed JSON, no query) are 400s with a clear message. Documents that do
not parse or validate get GraphQL errors: 200 with `application/json`, 400 when the client
asks for `application/graphql-response+json`, as the GraphQL-over-HTTP spec says.
"""

from __future__ import annotations

import json
from inspect import isawaitable
from typing import Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphene.validation import depth_limit_validator
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from collab_api.api.context import RequestContext
from collab_api.api.core.errors import format_error
from collab_api.api.schema import schema
from collab_api.db.graph import count_round_trips

GRAPHQL_RESPONSE = "application/graphql-response+json"


class RequestError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _error_body(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


async def _read_params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if "variables" in params:
            try:
                params["variables"] = json.loads(params["variables"])
            except ValueError as exc:
                raise RequestError(f"the 'variables' parameter is not valid JSON: {exc}") from exc
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _read_multipart(request)
    if content_type != "application/json":
        raise RequestError("POST requests must send Content-Type: application/json (or multipart/form-data with files)", 415)
    body = await request.body()
    try:
        params = json.loads(body)
    except ValueError as exc:
        raise RequestError(f"the request body is not valid JSON: {exc}") from exc
    if not isinstance(params, dict):
        raise RequestError("the request body must be a JSON object with a 'query' string")
    return params


async def _read_multipart(request: Request) -> dict[str, Any]:
    """The GraphQL multipart request spec: `operations`, a `map` of file parts to variable
    paths, then the files. Only files mapped into `variables` are used."""
    form = await request.form(max_files=5, max_fields=10)
    try:
        params = json.loads(form.get("operations") or "")
        mapping = json.loads(form.get("map") or "{}")
    except ValueError as exc:
        raise RequestError(f"multipart 'operations' and 'map' must be JSON: {exc}") from exc
    if not isinstance(params, dict) or not isinstance(mapping, dict):
        raise RequestError("multipart 'operations' must be a JSON object and 'map' an object of paths")
    for part, paths in mapping.items():
        upload = form.get(part)
        if upload is None or isinstance(upload, str):
            raise RequestError(f"multipart 'map' names file part '{part}', which was not sent")
        for path in paths if isinstance(paths, list) else []:
            keys = str(path).split(".")
            if keys[0] != "variables" or len(keys) < 2:
                raise RequestError(f"file path '{path}' must point into variables")
            target = params.setdefault("variables", {}) or {}
            params["variables"] = target
            for key in keys[1:-1]:
                target = target[int(key)] if isinstance(target, list) else target.setdefault(key, {})
            if isinstance(target, list):
                target[int(keys[-1])] = upload
            else:
                target[keys[-1]] = upload
    return params


def _check_params(params: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError("the request has no GraphQL query: send a 'query' string")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError("'variables' must be a JSON object")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError("'operationName' must be a string")
    return query, variables, operation_name


def _wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def _is_mutation(document: Any, operation_name: str | None) -> bool:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None or (definition.name and definition.name.value == operation_name):
                return definition.operation != OperationType.QUERY
    return False


async def graphql_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    if request.method == "GET" and "query" not in request.query_params and "text/html" in request.headers.get("accept", ""):
        if settings.development:
            return HTMLResponse(GRAPHIQL_PAGE)
        return JSONResponse(_error_body("GraphiQL is only served in development mode"), status_code=404)
    try:
        query, variables, operation_name = _check_params(await _read_params(request))
    except RequestError as exc:
        return JSONResponse(_error_body(str(exc)), status_code=exc.status)

    strict = _wants_graphql_response(request)
    media_type = GRAPHQL_RESPONSE if strict else "application/json"
    try:
        document = parse(query)
    except GraphQLError as error:
        return JSONResponse({"errors": [error.formatted]}, status_code=400 if strict else 200, media_type=media_type)
    rules = (*specified_rules, depth_limit_validator(max_depth=settings.max_query_depth))
    validation_errors = validate(schema.graphql_schema, document, rules)
    if validation_errors:
        return JSONResponse(
            {"errors": [error.formatted for error in validation_errors]},
            status_code=400 if strict else 200, media_type=media_type,
        )
    if request.method == "GET" and _is_mutation(document, operation_name):
        return JSONResponse(_error_body("mutations must be sent with POST"), status_code=405)

    context = RequestContext(graph=request.app.state.graph, settings=settings, viewer=request.user.actor)
    with count_round_trips() as round_trips:
        result = execute(
            schema.graphql_schema, document,
            variable_values=variables, operation_name=operation_name, context_value=context,
        )
        if isawaitable(result):
            result = await result
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(error) for error in result.errors]
    body["data"] = result.data
    if settings.development:
        body["extensions"] = {"dbRoundTrips": round_trips.count}
    return JSONResponse(body, media_type=media_type)


GRAPHIQL_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Patient safety collaboratives: GraphiQL</title>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL (it needs the browser to reach unpkg.com)...</div>
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultEditorToolbarOpen: true })
    );
  </script>
</body>
</html>
"""
