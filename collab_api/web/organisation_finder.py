"""Finding an organisation from what a person typed, wherever a form asks for one (a partner,
whom an adoption was learned from): its ODS code, or part of its name, searched on the server
so that it works without JavaScript; several matches are offered to choose from."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from collab_api.web import operations
from collab_api.web.forms import FormErrors

KINDS = {"TRUST", "SITE", "GP_PRACTICE", "CARE_HOME", "OTHER"}
# "Demo Kent Hospitals NHS Trust (Z43)": what a suggestion puts in the field, the code in brackets.
_CHOSEN = re.compile(r".*\(\s*([A-Za-z0-9]{3,6})\s*\)\s*$")


def _exact(data: dict[str, Any], kind: str | None) -> dict[str, Any] | None:
    """The organisation whose ODS code was typed, if it is of the kind asked for."""
    exact: dict[str, Any] | None = data["exact"]
    return exact if exact and kind in (None, exact["kind"]) else None


def _searched(typed: str) -> tuple[str, str]:
    """The (ODS code, name part) to look for: a suggestion's code in brackets, or what was typed."""
    if (chosen := _CHOSEN.fullmatch(typed)) is not None:
        return chosen.group(1).upper(), typed[:typed.rindex("(")].strip()
    return typed.upper(), typed


async def find_organisation(request: Request, typed: str, field: str, errors: FormErrors, *, kind: str | None = None,
                            what: str = "organisation", whats: str | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """An organisation from what a person typed: its ODS code, or a part of its name. One match
    is taken; several are offered to choose from (beside the field); none is an error."""
    typed = " ".join(typed.split())[:120]
    if not typed:
        errors.add(field, f"Enter the {what}'s name or ODS code")
        return None, []
    code, name = _searched(typed)
    data = await operations.data(request, "find_organisations", {"code": code, "name": name, "kind": kind})
    if (exact := _exact(data, kind)) is not None:
        return str(exact["odsCode"]), []
    matches = data["named"]["nodes"]
    if len(matches) == 1:
        return str(matches[0]["odsCode"]), []
    if not matches:
        errors.add(field, f"No {what} has a name or ODS code like '{typed[:60]}'")
    else:
        errors.add(field, f"{data['named']['totalCount']} {whats or what + 's'} match '{typed[:60]}': choose one from the list below")
    return None, matches


async def suggest(request: Request) -> Response:
    """Suggestions as a person types (the autocomplete's source, when JavaScript runs): up to 20
    organisations whose name or ODS code matches, as the finder would find them."""
    typed = " ".join((request.query_params.get("q") or "").split())[:120]
    kind = request.query_params.get("kind") or None
    if len(typed) < 2 or (kind is not None and kind not in KINDS):
        return JSONResponse([])
    code, name = _searched(typed)
    data = await operations.data(request, "find_organisations", {"code": code, "name": name, "kind": kind})
    exact = _exact(data, kind)
    found = ([exact] if exact else []) + [o for o in data["named"]["nodes"] if not exact or o["odsCode"] != exact["odsCode"]]
    return JSONResponse([{"odsCode": o["odsCode"], "name": o["name"]} for o in found[:20]],
                        headers={"Cache-Control": "private, max-age=60"})
