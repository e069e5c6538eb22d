"""Field-level problems with input, reported back to the caller rather than raised as crashes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    code: str
    message: str


class InvalidInput(Exception):
    """One or more fields of an input are refused; nothing has been written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class Problems:
    """Collects field problems; `raise_if_any()` stops before anything is written."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.items.append(FieldProblem(field, code, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInput(self.items)
