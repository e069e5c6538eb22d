"""Pages get their data by running GraphQL documents in-process as the signed-in person.

A page's document is a `.graphql` file beside its template (`templates/<name>.graphql`), read
once. Round trips of every operation a request runs are added up in `request.state`, so the
tests can pin that a page does not query per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from collab_api.db.graph import carried_bookmarks
from collab_api.api.execution import Outcome, run_operation
from collab_api.web import identity
from collab_api.web.forms import FormErrors, from_graphql_errors, from_payload
from collab_api.web.templating import TEMPLATES


class PageForbidden(Exception):
    """The API refused the signed-in person (or asked them to sign in)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@cache
def document(name: str) -> str:
    """The document, with the shared fragments it spreads (`templates/_*.graphql`, one
    `fragment Name on Type` each) appended: pages that show the same thing ask for it alike."""
    text = (TEMPLATES / f"{name}.graphql").read_text(encoding="utf-8")
    for fragment, source in _fragments().items():
        if f"...{fragment}" in text:
            text += "\n" + source
    return text


@cache
def _fragments() -> dict[str, str]:
    found = {}
    for path in sorted(TEMPLATES.glob("_*.graphql")):
        source = path.read_text(encoding="utf-8")
        found[source.split("fragment ", 1)[1].split()[0]] = source
    return found


def documents() -> list[str]:
    return sorted(path.stem for path in TEMPLATES.glob("*.graphql") if not path.stem.startswith("_"))


def operation_names() -> set[str]:
    """The names of the operations the pages run (for metric labels)."""
    from graphql import OperationDefinitionNode, parse

    return {d.name.value for name in documents() for d in parse(document(name)).definitions
            if isinstance(d, OperationDefinitionNode) and d.name}


async def run(request: Request, name: str, variables: dict[str, Any] | None = None) -> Outcome:
    """Run the document `name` as the viewer; raise PageForbidden on a FORBIDDEN error.
    The last write's bookmarks ride in the session, so the page after a form (served by any
    worker process) sees what the form wrote."""
    carried = carried_bookmarks()
    if carried is not None and not carried.given:
        carried.given = [str(value) for value in request.session.get("bookmarks") or []][:16]
    outcome = await run_operation(document(name), graph=request.app.state.graph, settings=request.app.state.settings,
                                  viewer=identity.viewer(request), variables=variables)
    if carried is not None and carried.written:
        request.session["bookmarks"] = carried.written
    request.state.round_trips = getattr(request.state, "round_trips", 0) + outcome.round_trips
    if outcome.refused:  # the application's own document is wrong: a bug, not input
        raise RuntimeError(f"page document {name} was refused: {outcome.errors}")
    codes = {(e.get("extensions") or {}).get("code") for e in outcome.errors}
    if codes & {"DATABASE_UNAVAILABLE", "DATABASE_BUSY"}:
        raise HTTPException(503, "The service cannot reach its database just now. Nothing you sent has been recorded; "
                                 "try again in a minute.")
    if "TIMEOUT" in codes:
        raise HTTPException(503, "The service took too long to answer and stopped. Nothing you sent has been half-recorded; "
                                 "try again in a minute.")
    forbidden = [e for e in outcome.errors if (e.get("extensions") or {}).get("code") == "FORBIDDEN"]
    if forbidden:
        raise PageForbidden(forbidden[0]["message"])
    return outcome


async def data(request: Request, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data of a read; a refused argument is a 400 page with the API's message."""
    outcome = await run(request, name, variables)
    if outcome.errors:
        raise HTTPException(400, "; ".join(str(e.get("message")) for e in outcome.errors))
    return outcome.data or {}


async def mutate(request: Request, name: str, variables: dict[str, Any], mutation: str,
                 fields: Mapping[str, str], fallback: str) -> tuple[dict[str, Any], FormErrors]:
    """Run a form's mutation document: its payload (`data[mutation]`, empty when refused
    outright) and its refusals as form errors, from a refused argument or the payload's typed
    errors alike."""
    outcome = await run(request, name, variables)
    if outcome.errors:
        return {}, from_graphql_errors(outcome.errors, fields, fallback)
    payload: dict[str, Any] = (outcome.data or {})[mutation]
    return payload, from_payload(payload["errors"], fields, fallback)


def found(value: Any, what: str) -> Any:
    """A page's main object, or a 404 page."""
    if value is None:
        raise HTTPException(404, f"There is no {what} here. It may have been removed, or the address may be wrong.")
    return value
