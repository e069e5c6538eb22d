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

from collab_api import telemetry
from collab_api.api.execution import is_mutation, limits_of, operation_name_of, parsed, run_document, validation_errors
from collab_api.api.limits import error as limit_error
from collab_api.api.limits import introspects, without_suggestions
from collab_api.http.graphiql import graphiql_page

GRAPHQL_RESPONSE = "application/graphql-response+json"


class RequestError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _error_body(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(key) or _has_lone_surrogate(item) for key, item in value.items())
    return False


def _json(text: str | bytes, what: str) -> Any:
    """Decoded JSON, or a RequestError that says what is wrong with it."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise RequestError(f"{what} is nested too deeply") from exc
    except ValueError as exc:
        raise RequestError(f"{what} is not valid JSON: {exc}") from exc
    try:
        if _has_lone_surrogate(value):
            raise RequestError(f"{what} holds text that is not valid Unicode (a lone surrogate)")
    except RecursionError as exc:
        raise RequestError(f"{what} is nested too deeply") from exc
    return value


async def _read_params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if "variables" in params:
            params["variables"] = _json(params["variables"], "the 'variables' parameter")
        if "extensions" in params:
            params["extensions"] = _json(params["extensions"], "the 'extensions' parameter")
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        return await _read_multipart(request)
    if content_type != "application/json":
        raise RequestError("POST requests must send Content-Type: application/json (or multipart/form-data with files)", 415)
    params = _json(await request.body(), "the request body")
    if not isinstance(params, dict):
        raise RequestError("the request body must be a JSON object with a 'query' string")
    return params


async def _read_multipart(request: Request) -> dict[str, Any]:
    """The GraphQL multipart request spec: `operations`, a `map` of file parts to variable
    paths, then the files. Only files mapped into `variables` are used."""
    form = await request.form(max_files=5, max_fields=10)
    operations, map_text = form.get("operations"), form.get("map")
    if not isinstance(operations, str) or not isinstance(map_text, str):
        raise RequestError("a multipart request needs the 'operations' and 'map' fields (GraphQL multipart request spec)")
    params, mapping = _json(operations, "multipart 'operations'"), _json(map_text, "multipart 'map'")
    if not isinstance(params, dict) or not isinstance(mapping, dict):
        raise RequestError("multipart 'operations' must be a JSON object and 'map' an object of paths")
    for part, paths in mapping.items():
        upload = form.get(part)
        if upload is None or isinstance(upload, str):
            raise RequestError(f"multipart 'map' names file part '{part}', which was not sent")
        if not isinstance(paths, list) or not paths:
            raise RequestError(f"multipart 'map' entry '{part}' must be a list of paths")
        for path in paths:
            _place(params, path, upload)
    return params


def _place(params: dict[str, Any], path: Any, upload: Any) -> None:
    """Put a file where `path` ("variables.file", "variables.files.0") says: the place must
    exist and hold null, as the multipart request spec has it."""
    keys = path.split(".") if isinstance(path, str) else []
    if len(keys) < 2 or keys[0] != "variables":
        raise RequestError(f"file path '{str(path)[:80]}' must point into variables, like 'variables.file'")
    target: Any = params.get("variables")
    for position, key in enumerate(keys[1:], start=1):
        last = position == len(keys) - 1
        if isinstance(target, dict) and key in target:
            if last:
                if target[key] is not None:
                    break
                target[key] = upload
                return
            target = target[key]
        elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
            if last:
                if target[int(key)] is not None:
                    break
                target[int(key)] = upload
                return
            target = target[int(key)]
        else:
            break
    raise RequestError(f"file path '{path[:80]}' does not point at a null in variables")


def _check_params(params: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str | None]:
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError("the request has no GraphQL query: send a 'query' string")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError("'variables' must be a JSON object")
    extensions = params.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError("'extensions' must be a JSON object")
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
    limits = limits_of(settings)
    try:
        document = parsed(query, limits)
    except GraphQLError as error:
        telemetry.note_operation(operation_name, request.user.actor.role.value, ["GRAPHQL_PARSE_FAILED"])
        return JSONResponse({"errors": [error.formatted]}, status_code=400 if strict else 200, media_type=media_type)
    problems = validation_errors(document, limits, variables)
    anonymous = request.user.actor.is_anonymous
    if not problems and anonymous and not settings.development and not settings.public_introspection and introspects(document):
        problems = [limit_error("introspection is for signed-in callers here (COLLAB_PUBLIC_INTROSPECTION)",
                                "INTROSPECTION_DISABLED")]
    if problems:
        telemetry.note_operation(operation_name or operation_name_of(document), request.user.actor.role.value,
                                 [str((e.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED") for e in problems])
        formatted = [error.formatted for error in problems]
        if not settings.development:  # no "Did you mean ...?": it would map the schema for anyone
            formatted = [{**e, "message": without_suggestions(e["message"])} for e in formatted]
        return JSONResponse({"errors": formatted}, status_code=400 if strict else 200, media_type=media_type)
    if request.method == "GET" and is_mutation(document, operation_name):
        return JSONResponse(_error_body("mutations must be sent with POST"), status_code=405)

    outcome = await run_document(document, graph=request.app.state.graph, settings=settings,
                                 viewer=request.user.actor, variables=variables, operation_name=operation_name,
                                 source=query)
    body: dict[str, Any] = {}
    if outcome.errors:
        body["errors"] = outcome.errors
    body["data"] = outcome.data
    if settings.development:
        body["extensions"] = {"dbRoundTrips": outcome.round_trips, **({"cached": True} if outcome.cached else {})}
    unavailable = any((e.get("extensions") or {}).get("code") in ("DATABASE_UNAVAILABLE", "DATABASE_BUSY") for e in outcome.errors)
    return JSONResponse(body, media_type=media_type, status_code=503 if outcome.timed_out or unavailable else 200)
