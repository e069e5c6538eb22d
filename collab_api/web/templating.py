"""The Jinja2 environment: our templates first, then the NHS.UK frontend's macros
(nhsuk-frontend-jinja, the port matching the pinned nhsuk-frontend)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from markupsafe import escape
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from collab_api.domain.changes import status_words
from collab_api.domain.quarters import Quarter
from collab_api.domain.stages import STAGES
from collab_api.domain.vocabulary import CARE_SETTINGS, ORGANISATION_KIND_LABELS
from collab_api.web.forms import OTHER_HARM_AREA

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
SERVICE_NAME = "Patient safety collaboratives: shared learning"

_SETTING_LABELS = {setting.code: setting.label for setting in CARE_SETTINGS}
_STAGE_LABELS = {stage.stage: stage.label.split(" - ", 1)[-1] for stage in STAGES}  # "Knowledge"


def setting_label(code: str | None) -> str:
    """A care setting's name; an answer with none is for no particular setting."""
    return _SETTING_LABELS.get(code, code) if code else "No particular setting"


def stage_label(stage: int | None) -> str:
    return "" if stage is None else f"Stage {stage}: {_STAGE_LABELS.get(stage, '')}"


def stage_name(stage: int | None) -> str:
    return _STAGE_LABELS.get(stage, "") if stage is not None else ""


def viewer_label(actor: Any, scope_name: str | None = None) -> str:
    """How the header names the signed-in person: their name (when their sign-in gives it) and
    their role or organisation, by name with its code ("Sam Carter, Demo Care Home 63 (ZC063)"),
    never a token."""
    code = actor.collaborative or actor.organisation
    scope = f"{scope_name} ({code})" if scope_name else code
    if actor.role.value == "NATIONAL":
        role = "national team"
    elif actor.role.value == "LEAD":
        role = f"lead, {scope}"
    else:
        role = str(scope)
    name = getattr(actor, "name", None)
    return f"{name}, {role}" if name else role[:1].upper() + role[1:]


def status_label(status: str | None) -> str:
    return (status or "").replace("_", " ").capitalize()


def intervention_status_label(status: str | None) -> str:
    """An intervention's status as people read it: a closed one says it was tried."""
    return status_words(status or "")


def nice_date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return value
    return f"{value.day} {value:%B %Y}"


def recent_quarters(count: int = 12, today: dt.date | None = None) -> list[str]:
    """The current quarter and those before it, newest first (for quarter selects)."""
    quarter = Quarter.containing(today or dt.date.today())
    labels = []
    for _ in range(count):
        labels.append(quarter.label)
        quarter = quarter.previous()
    return labels


def _environment() -> Environment:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja", "templates")]),
        # Every template and macro, whatever its extension: the NHS.UK macros are `.jinja` files and write
        # `params.text` as given, so a select_autoescape by extension left stored text raw inside them.
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(dict_merge=lambda a, b: {**a, **b}, zip=lambda a, b: list(zip(a, b)), setting_label=setting_label, stage_label=stage_label, status_label=status_label,
                               intervention_status_label=intervention_status_label,
                               organisation_kind=lambda kind: ORGANISATION_KIND_LABELS.get(kind or "", status_label(kind)),
                               nice_date=nice_date)
    environment.globals.update(
        service_name=SERVICE_NAME, care_settings=CARE_SETTINGS, stages=STAGES, setting_label=setting_label,
        stage_label=stage_label, stage_name=stage_name, viewer_label=viewer_label, other_harm_area=OTHER_HARM_AREA,
    )
    return environment


environment = _environment()


class SessionToken:
    """The session's CSRF token, made (and the page marked as this session's own, never to be
    shared from the page cache) only when a template writes it: a page without a form stays
    shareable."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        from collab_api.web import identity
        from collab_api.web.page_cache import mark_personal

        mark_personal(self.request.scope)
        return identity.csrf_token(self.request)

    def __html__(self) -> str:
        return str(escape(str(self)))


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200) -> HTMLResponse:
    """Render a page with what every page needs: the viewer, the CSRF token, the flash message."""
    from collab_api.web import identity  # the session helpers, below the pages

    values = {
        "request": request,
        "viewer": identity.viewer(request),
        "csrf_token": SessionToken(request),
        "flash": identity.pop_flash(request),
        "development": request.app.state.settings.development,
        "contact_email": request.app.state.settings.contact_email,
        "quarters": recent_quarters(),
        "unread": getattr(request.state, "unread", 0),
        "follows": getattr(request.state, "follows", []),
        "scope_name": getattr(request.state, "scope_name", None),
        **(context or {}),
    }
    response = HTMLResponse(environment.get_template(template).render(values), status_code=status)
    if request.app.state.settings.development:  # as the API's extensions.dbRoundTrips: tests pin page costs
        response.headers["X-DB-Round-Trips"] = str(getattr(request.state, "round_trips", 0))
    return response
