"""The spread report's filters as the URL carries them, for the spread page and its downloads."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from collab_api.domain.vocabulary import CARE_SETTING_CODES
from collab_api.web import identity
from collab_api.web.forms import FormErrors

FILTERS = ("component", "careSetting", "phase", "quarter", "compareWith", "atOrBelowStage")
FIELDS = {name: name for name in FILTERS}
PHASES = [("1", "Phase 1"), ("2", "Phase 2"), ("3", "Phase 3")]


def variables(request: Request, errors: FormErrors) -> tuple[dict[str, Any], dict[str, str]]:
    """The spread report's variables from the URL, each checked (a wrong one is an error beside its
    field), and the choices as given: the spread page and the map's downloads read them alike."""
    params = request.query_params
    chosen = {name: (params.get(name) or "").strip() for name in FILTERS}
    given: dict[str, Any] = {"id": request.path_params["id"], "signedIn": not identity.viewer(request).is_anonymous}
    for name in ("component", "quarter", "compareWith"):
        given[name] = chosen[name][:100] or None
    if chosen["careSetting"] and chosen["careSetting"] not in CARE_SETTING_CODES:
        errors.add("careSetting", "Choose a care setting from the list")
    given["careSetting"] = chosen["careSetting"] if chosen["careSetting"] in CARE_SETTING_CODES else None
    for name, allowed, message in (("phase", {p for p, _ in PHASES}, "Choose a phase from the list"),
                                   ("atOrBelowStage", {str(n) for n in range(8)}, "Choose a stage from the list")):
        if chosen[name] and chosen[name] not in allowed:
            errors.add(name, message)
        given[name] = int(chosen[name]) if chosen[name] in allowed else None
    if given["atOrBelowStage"] is None:
        given["atOrBelowStage"] = 3
    return given, chosen
