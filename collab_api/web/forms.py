"""Form handling for the pages: reading posted values, CSRF, and turning a mutation's field
errors (dotted input paths) into messages beside the form's fields and an error summary."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from collab_api.web import identity

MAX_FORM_FIELDS = 400


def field_id(name: str) -> str:
    return name.replace(".", "-").replace("_", "-")


@dataclass
class FormErrors:
    """Messages by form field name, in the order they were found."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def summary(self) -> list[dict[str, str]]:
        return [{"text": message, "href": f"#{field_id(name)}"} for name, message in self.by_field.items()]

    def context(self) -> dict[str, Any]:
        return {"errors": self.by_field, "error_list": self.summary()}


def from_payload(errors: Iterable[Mapping[str, Any]], fields: Mapping[str, str], fallback: str) -> FormErrors:
    """Map API field paths to form fields: exact, else by the longest known prefix, else
    `fallback` (the form's first field), so that no refusal is ever lost."""
    found = FormErrors()
    for error in errors:
        path = str(error.get("field") or "")
        name = fields.get(path)
        if name is None:
            prefixes = [known for known in fields if path.startswith(known + ".")]
            name = fields[max(prefixes, key=len)] if prefixes else fallback
        found.add(name, str(error.get("message")))
    return found


_COERCION = re.compile(r"Variable '\$\w+' got invalid value .*? at '(?:\w+\.)?([^']+)'; (.*)$", re.S)


def _plain(error: Mapping[str, Any]) -> dict[str, Any]:
    """A variable the schema refused ("got invalid value None at 'input.evidence[0].summary'")
    as the field it names and words a person understands."""
    message = str(error.get("message") or "")
    found = _COERCION.match(message)
    if not found:
        return {"field": None, "message": message}
    path = re.sub(r"\[(\d+)\]", r".\1", found.group(1))
    words = "Enter this" if "not to be None" in found.group(2) else "This value is not one this service accepts"
    return {"field": path, "message": words}


def from_graphql_errors(errors: Iterable[Mapping[str, Any]], fields: Mapping[str, str], fallback: str) -> FormErrors:
    """Top-level GraphQL errors of a refused argument (extensions.problems) as form errors."""
    problems: list[Mapping[str, Any]] = []
    for error in errors:
        extensions = error.get("extensions") or {}
        if extensions.get("problems"):
            problems.extend(extensions["problems"])
        elif extensions.get("field"):
            problems.append({"field": extensions["field"], "message": error.get("message")})
        else:
            problems.append(_plain(error))
    return from_payload(problems, fields, fallback)


async def posted(request: Request) -> FormData:
    """The posted form, after the CSRF check (403 when it fails)."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    if not identity.csrf_ok(request, form.get("csrf_token")):
        raise HTTPException(403, "This form has expired or did not come from this service. Go back, reload the page and try again.")
    return form


def text(form: FormData, name: str) -> str | None:
    """A text field, stripped; empty is None."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def lines(form: FormData, name: str) -> list[str]:
    """A textarea of one item per line (or comma-separated), empty lines dropped."""
    raw = text(form, name) or ""
    return [item.strip() for chunk in raw.splitlines() for item in chunk.split(",") if item.strip()]


def integer(form: FormData, name: str, errors: FormErrors, label: str) -> int | None:
    raw = text(form, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        errors.add(name, f"{label} must be a whole number")
        return None


OTHER_HARM_AREA = "__other__"  # the harm area select's "another harm area (type it below)" choice


def harm_area(form: FormData) -> tuple[str | None, bool]:
    """The harm area chosen from the list of those in use, or the one typed in as another; and
    whether "another" was chosen."""
    other = form.get("harmArea") == OTHER_HARM_AREA
    return text(form, "harmAreaOther" if other else "harmArea"), other
