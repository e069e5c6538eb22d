"""GraphQL over HTTP: POST (and GET for queries) on /graphql; GraphiQL in development.

Request errors (malformed JSON, no query) are 400s with a clear message. Documents that do
not parse or validate get GraphQL errors: 200 with `application/json`, 400 when the client
asks for `application/graphql-response+json`, as the GraphQL-over-HTTP spec says.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab_api.api.execution import is_mutation, parsed, run_document, validation_errors
from collab_api.http.graphiql import graphiql_page

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


async def graphql_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    if request.method == "GET" and "query" not in request.query_params and "text/html" in request.headers.get("accept", ""):
        if settings.development:
            return graphiql_page(request)
        return JSONResponse(_error_body("GraphiQL is only served in development mode"), status_code=404)
    try:
        query, variables, operation_name = _check_params(await _read_params(request))
    except RequestError as exc:
        return JSONResponse(_error_body(str(exc)), status_code=exc.status)

    strict = _wants_graphql_response(request)
    media_type = GRAPHQL_RESPONSE if strict else "application/json"
    try:
        document = parsed(query)
    except GraphQLError as error:
        return JSONResponse({"errors": [error.formatted]}, status_code=400 if strict else 200, media_type=media_type)
    problems = validation_errors(document, settings.max_query_depth)
    if problems:
        return JSONResponse({"errors": [error.formatted for error in problems]},
                            status_code=400 if strict else 200, media_type=media_type)
    if request.method == "GET" and is_mutation(document, operation_name):
        return JSONResponse(_error_body("mutations must be sent with POST"), status_code=405)

    outcome = await run_document(document, graph=request.app.state.graph, settings=settings,
                                 viewer=request.user.actor, variables=variables, operation_name=operation_name)
    body: dict[str, Any] = {}
    if outcome.errors:
        body["errors"] = outcome.errors
    body["data"] = outcome.data
    if settings.development:
        body["extensions"] = {"dbRoundTrips": outcome.round_trips}
    return JSONResponse(body, media_type=media_type)
