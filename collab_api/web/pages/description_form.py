"""The intervention description form: every field of the API's description, lists as
numbered rows (so it works without JavaScript), read back into a GraphQL input."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from collab_api.domain.vocabulary import CARE_SETTING_CODES
from collab_api.web.forms import FormErrors, harm_area, lines, text

TEXT_FIELDS = [  # (name, label, hint, rows: 0 for a one-line input)
    ("summary", "Summary", "Two or three sentences a busy ward manager can read", 3),
    ("problem", "The problem it addresses", None, 3),
    ("why", "Why it works (the rationale)", None, 3),
    ("materials", "Materials", "Leaflets, tools, training materials", 2),
    ("procedures", "Procedures", "What is done, step by step", 3),
    ("whoDelivers", "Who delivers it", None, 2),
    ("how", "How it is delivered", "Face to face, online, in groups ...", 2),
    ("whenHowMuch", "When and how much", None, 2),
    ("tailoring", "How it may be tailored", None, 2),
    ("patientInvolvement", "How patients, carers and families were involved", "For example a patient partner in the design or the review", 3),
    ("sourceIndustry", "Learned from another industry (optional)", "For example aviation checklists", 0),
]
ROW_LISTS = {  # list name: its parts
    "components": ("name", "description"),
    "measures": ("kind", "name", "definition", "valueType", "ratePer", "unit", "improvement"),
    "evidence": ("type", "summary", "baseline", "result", "period", "unintendedConsequences"),
    "resources": ("title", "url"),
}
EXTRA_ROWS, MAX_ROWS = 2, 30


REQUIRED_TEXT = {"components": ("name",), "measures": ("name", "definition"), "evidence": ("summary",),
                 "resources": ("title", "url")}
CHOICES = {("measures", "kind"): "Choose whether it is an outcome, process or balancing measure",
           ("measures", "valueType"): "Choose what type of value the measure is",
           ("measures", "improvement"): "Choose which direction is an improvement",
           ("evidence", "type"): "Choose the type of evidence"}


def rows_of(form: FormData, name: str) -> list[dict[str, str | None]]:
    """Numbered rows `name.N.part`; a row with every part empty is dropped."""
    parts = ROW_LISTS[name]
    found = []
    for n in range(MAX_ROWS):
        row = {part: text(form, f"{name}.{n}.{part}") for part in parts}
        if any(row.values()):
            found.append(row)
    return found


def _api_rows(form: FormData, name: str, errors: FormErrors) -> list[dict[str, str | None]]:
    """Rows as the API takes them: a required text left empty is sent empty (the API says
    what is missing, beside the field); a choice left empty is an error here."""
    rows = []
    for n, row in enumerate(rows_of(form, name)):
        for part in REQUIRED_TEXT[name]:
            row[part] = row[part] or ""
        for (list_name, part), message in CHOICES.items():
            if list_name == name and not row[part]:
                errors.add(f"{name}.{n}.{part}", message)
        if name == "measures":
            _number_part(row, "ratePer", f"{name}.{n}.ratePer", errors)
        rows.append(row)
    return rows


def _number_part(row: dict[str, Any], part: str, field: str, errors: FormErrors) -> None:
    """A numeric part of a row as a number (left out when empty)."""
    raw = row.pop(part, None)
    if raw:
        try:
            row[part] = float(str(raw).replace(",", ""))
        except ValueError:
            errors.add(field, "Enter a number, like 1000 for 'per 1,000'")


def description_input(form: FormData, errors: FormErrors) -> dict[str, Any]:
    given: dict[str, Any] = {name: text(form, name) for name, *_ in TEXT_FIELDS}
    given["harmArea"], other = harm_area(form)
    if other and not given["harmArea"]:
        errors.add("harmAreaOther", "Enter the new harm area")
    given["tags"] = lines(form, "tags")
    settings = [value for value in form.getlist("careSettings") if isinstance(value, str)]
    if any(value not in CARE_SETTING_CODES for value in settings):
        errors.add("careSettings", "Choose care settings from the list")
    given["careSettings"] = [value for value in settings if value in CARE_SETTING_CODES]
    given["priorityIds"] = [value for value in form.getlist("priorityIds") if isinstance(value, str)]
    for name in ROW_LISTS:
        given[name] = _api_rows(form, name, errors)
    if any(text(form, f"contact.{part}") for part in ("name", "role", "email")):
        given["contact"] = {"name": text(form, "contact.name") or "", "role": text(form, "contact.role"),
                            "email": text(form, "contact.email") or "",
                            "organisation": (text(form, "contact.organisation") or "").upper() or None,
                            "consentedToContact": form.get("contact.consentedToContact") == "yes"}
    if text(form, "note"):
        given["note"] = text(form, "note")
    return given


def values_from_intervention(item: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an existing intervention (the edit form starts from these)."""
    values: dict[str, Any] = {name: item.get(name) or "" for name, *_ in TEXT_FIELDS}
    values["harmArea"] = item.get("harmArea") or ""
    values.update(title=item["title"], tags=", ".join(item.get("tags") or []),
                  careSettings=item.get("careSettings") or [], priorityIds=[p["id"] for p in item.get("priorities") or []])
    lists = {"components": item.get("componentDescriptions") or [], "measures": item.get("measures") or [],
             "evidence": item.get("evidence") or [], "resources": item.get("resources") or []}
    for name, rows in lists.items():
        for n, row in enumerate(rows):
            for part in ROW_LISTS[name]:
                value = row.get(part)
                values[f"{name}.{n}.{part}"] = "" if value is None else f"{value:g}" if isinstance(value, float) else value
    contact = item.get("contact") or {}
    for part in ("name", "role", "email", "organisation"):
        values[f"contact.{part}"] = contact.get(part) or ""
    if contact:
        values["contact.consentedToContact"] = "yes"
    return values


def row_counts(values: dict[str, Any]) -> dict[str, int]:
    """How many rows of each list the form shows: those filled in, and a few empty ones."""
    counts = {}
    for name in ROW_LISTS:
        filled = [n for n in range(MAX_ROWS) if any(values.get(f"{name}.{n}.{part}") for part in ROW_LISTS[name])]
        counts[name] = min(MAX_ROWS, (max(filled) + 1 if filled else 0) + EXTRA_ROWS)
    return counts


def form_values(form: FormData) -> dict[str, Any]:
    """The posted values to show again, with each list's rows renumbered without gaps, as the
    input sent to the API numbers them, so that an error on `evidence.1.summary` is shown on
    the row it concerns."""
    values: dict[str, Any] = {key: value for key, value in form.items()
                              if key != "csrf_token" and key.split(".")[0] not in ROW_LISTS}
    values["careSettings"] = form.getlist("careSettings")
    values["priorityIds"] = form.getlist("priorityIds")
    for name in ROW_LISTS:
        for n, row in enumerate(rows_of(form, name)):
            for part, value in row.items():
                values[f"{name}.{n}.{part}"] = value or ""
    return values


def field_map() -> dict[str, str]:
    """API input paths → form fields (rows map by index; a list as a whole to its first row)."""
    fields = {name: name for name, *_ in TEXT_FIELDS}
    fields["harmArea"] = "harmArea"
    fields.update({name: name for name in ("title", "tags", "careSettings", "priorityIds", "note", "status",
                                           "collaborative", "originOrganisation")})
    for name, parts in ROW_LISTS.items():
        fields[name] = f"{name}.0.{parts[0]}"
        for n in range(MAX_ROWS):
            for part in parts:
                fields[f"{name}.{n}.{part}"] = f"{name}.{n}.{part}"
    for part in ("name", "role", "email", "organisation", "consentedToContact"):
        fields[f"contact.{part}"] = f"contact.{part}"
    fields["contact"] = "contact.name"
    return fields
