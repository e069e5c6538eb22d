"""Free-text rules shared by every input: length limits, trimming, and no NHS numbers."""

from __future__ import annotations

from collab_api.domain.errors import Problems
from collab_api.domain.nhs_number import contains_nhs_number

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
    if contains_nhs_number(text):
        # Never echo the number back: the message names the field only.
        problems.add(field, "PATIENT_IDENTIFIER",
                     f"{field} appears to contain an NHS number; the platform holds no patient-identifiable data")
    return text
