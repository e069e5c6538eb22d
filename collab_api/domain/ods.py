"""ODS codes, the national organisation codes.

Trusts have 3 characters (RF4), trust sites 5 (RF401; a site keeps its code when its trust
changes, so after a merger it need not start with its trust's code: Basildon RDDH0 is a
site of RAJ), GP practices a letter and five digits (F82001). Other bodies (care homes, custody and
independent providers) carry 3 to 6 letters and digits.
"""

from __future__ import annotations

import re

TRUST = re.compile(r"^[A-Z][A-Z0-9]{2}$")
SITE = re.compile(r"^[A-Z][A-Z0-9]{4}$")
GP_PRACTICE = re.compile(r"^[A-Z][0-9]{5}$")
ANY = re.compile(r"^[A-Z0-9]{3,6}$")


def normalise(code: str) -> str:
    return code.strip().upper()


def shape_problem(code: str, kind: str | None = None) -> str | None:
    """Why `code` cannot be an ODS code (of that kind), or None if it can."""
    code = normalise(code)
    if not ANY.match(code):
        return f"'{code[:20]}' is not an ODS code: expected 3 to 6 letters and digits"
    if kind == "TRUST" and not TRUST.match(code):
        return f"'{code}' is not a trust ODS code: expected 3 characters, e.g. RF4"
    if kind == "SITE":
        if not SITE.match(code):
            return f"'{code}' is not a site ODS code: expected 5 characters, e.g. RF401"
    if kind == "GP_PRACTICE" and not GP_PRACTICE.match(code):
        return f"'{code}' is not a GP practice ODS code: expected a letter and five digits, e.g. F82001"
    return None
