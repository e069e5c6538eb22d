"""Reporting quarters of the NHS financial year, written `2025/26 Q1` (Q1 is April to June)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*Q\s*([1-4])\s*$", re.IGNORECASE)


class QuarterError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the financial year's first calendar year: 2025 for 2025/26
    number: int  # 1 to 4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(text or "")
        if not match:
            if not (text or "").strip():
                raise QuarterError("Enter the quarter, for example 2025/26 Q1")
            raise QuarterError(f"'{(text or '')[:40]}' is not a reporting quarter: enter one like 2025/26 Q1")
        year, next_year, number = int(match[1]), int(match[2]), int(match[3])
        if next_year != (year + 1) % 100:
            raise QuarterError(f"'{text.strip()}': the financial year {year}/{next_year:02d} is not two consecutive years")
        return cls(year, number)

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def index(self) -> int:
        """Consecutive quarters have consecutive indexes: sortable and subtractable."""
        return self.year * 4 + self.number - 1

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d} Q{self.number}"

    @property
    def starts_on(self) -> dt.date:
        month = 4 + (self.number - 1) * 3
        return dt.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    def previous(self) -> Quarter:
        return Quarter.from_index(self.index - 1)

    def next(self) -> Quarter:
        return Quarter.from_index(self.index + 1)

    def __str__(self) -> str:
        return self.label
