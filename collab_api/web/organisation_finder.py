"""Finding an organisation from what a person typed, wherever a form asks for one (a partner,
whom an adoption was learned from): its ODS code, or part of its name, searched on the server
so that it works without JavaScript; several matches are offered to choose from."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from collab_api.web import operations
from collab_api.web.forms import FormErrors


async def find_organisation(request: Request, typed: str, field: str, errors: FormErrors, *, kind: str | None = None,
                            what: str = "organisation") -> tuple[str | None, list[dict[str, Any]]]:
    """An organisation from what a person typed: its ODS code, or a part of its name. One match
    is taken; several are offered to choose from (beside the field); none is an error."""
    typed = " ".join(typed.split())[:120]
    if not typed:
        errors.add(field, f"Enter the {what}'s name or ODS code")
        return None, []
    data = await operations.data(request, "find_organisations", {"code": typed.upper(), "name": typed, "kind": kind})
    if data["exact"] and (kind is None or data["exact"]["kind"] == kind):
        return str(data["exact"]["odsCode"]), []
    matches = data["named"]["nodes"]
    if len(matches) == 1:
        return str(matches[0]["odsCode"]), []
    if not matches:
        errors.add(field, f"No {what} has a name or ODS code like '{typed[:60]}'")
    else:
        errors.add(field, f"{data['named']['totalCount']} {what}s match '{typed[:60]}': choose one from the list below")
    return None, matches
