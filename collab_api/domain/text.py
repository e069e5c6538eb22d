"""Free-text rules shared by every input: length limits, trimming, and no patient data or
named blame (collab_api.domain.identifiers)."""

from __future__ import annotations

from collab_api.domain.errors import Problems
from collab_api.domain.identifiers import KINDS, findings

SHORT = 120  # names, roles, areas, tags
TITLE = 200
SUMMARY = 2000
LONG = 4000  # descriptive paragraphs


def check_text(problems: Problems, field: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
    """The trimmed text, or None; records why it is refused (too long, missing)."""
    if value is None or not value.strip():
        if required:
            problems.add(field, "REQUIRED", f"{field} is required")
        return None
    text = value.strip()
    if len(text) > limit:
        problems.add(field, "TOO_LONG", f"{field} is {len(text)} characters; at most {limit} are allowed")
    contact = field.startswith("contact.") or ".contact." in field
    for kind in findings(text, contact_field=contact):
        # Never echo what was found: the message names the field and the kind only.
        if kind == "NAMED_BLAME":
            problems.add(field, "NAMED_BLAME", f"{field} appears to name an individual as culpable; the platform is used "
                                               "to learn, never to blame: describe what happened, not who is at fault")
        elif kind == "PERSONAL_CONTACT":
            problems.add(field, "PERSONAL_DATA", f"{field} appears to contain {KINDS[kind]}; put someone who agreed to "
                                                 "be contacted in the contact fields instead")
        else:
            problems.add(field, "PATIENT_IDENTIFIER", f"{field} appears to contain {KINDS[kind]}; the platform holds no "
                                                      "patient-identifiable data")
    return text


# A spreadsheet reads a cell that starts with one of these as a formula (or, for tab and CR, a
# cell whose next character may be read as one): OWASP's list for CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_a_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def formula_safe(value: object) -> object:
    """A value for a CSV cell: text that would start a formula gets a leading apostrophe, which
    spreadsheets show as text (OWASP's advice); numbers and other text unchanged."""
    return "'" + value if starts_a_formula(value) and isinstance(value, str) else value
