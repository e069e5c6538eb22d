"""Spotting NHS numbers in free text: ten digits (spaces or dashes allowed between them)
that pass the modulus-11 check. The platform holds no patient-identifiable data."""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ -]?){9}\d(?![\d])")


def is_valid(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def contains_nhs_number(text: str) -> bool:
    return any(is_valid(re.sub(r"[ -]", "", m.group())) for m in _CANDIDATE.finditer(text))
