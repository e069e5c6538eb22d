"""Relay-style pages over a stable sort key (keyset pagination).

A cursor is the opaque, base64-encoded sort key of an item; `after` resumes strictly after
it, so inserts elsewhere never make a page skip or repeat an item.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, Generic, TypeVar, cast

from collab_api.domain.errors import FieldProblem, InvalidInput

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_PREFIX = "k:"


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{key}".encode()).decode()


def decode_cursor(cursor: str | None, field: str = "after") -> str | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX):
        raise InvalidInput([FieldProblem(field, "INVALID_CURSOR", f"'{cursor[:40]}' is not a cursor from this API")])
    return text[len(_PREFIX):]


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: str | None  # the decoded sort key

    @classmethod
    def of(cls, first: int | None, after: str | None, max_size: int = MAX_PAGE_SIZE) -> PageRequest:
        size = DEFAULT_PAGE_SIZE if first is None else first
        if size < 0:
            raise InvalidInput([FieldProblem("first", "OUT_OF_RANGE", "first must not be negative")])
        if size > max_size:
            raise InvalidInput([FieldProblem("first", "OUT_OF_RANGE", f"first must be at most {max_size}, got {size}")])
        return cls(size, decode_cursor(after))

    @property
    def fetch(self) -> int:
        """One more than asked for: its presence says there is a next page."""
        return self.first + 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    has_next: bool
    has_previous: bool
    key_field: str

    @classmethod
    def from_rows(cls, rows: list[T], total: int, before: int, request: PageRequest, key_field: str) -> Page[T]:
        return cls(rows[: request.first], total, len(rows) > request.first, before > 0, key_field)

    def cursor(self, item: T) -> str:
        """Items are rows (mappings) keyed by `key_field`."""
        return encode_cursor(str(cast(Mapping[str, Any], item)[self.key_field]))
