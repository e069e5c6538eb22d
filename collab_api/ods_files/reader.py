"""Reading the ODS CSV extracts into organisation rows (no database here).

Rows that cannot be read (a code that is not an ODS code, a bad date, too few columns) are
reported with the file and line, never guessed at."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from collab_api.domain import ods
from collab_api.ods_files import layout
from collab_api.ods_files.layout import OrganisationFile


@dataclass(frozen=True)
class OdsOrganisation:
    odsCode: str
    name: str
    kind: str
    careSettings: list[str]
    postcode: str | None
    openedOn: str | None  # ISO dates
    closedOn: str | None
    status: str  # ACTIVE or CLOSED
    icbCodes: list[str]  # candidate ICB codes, best first (commissioner, its ICB, the file's ICB column)
    trust: str | None  # the parent trust, for a trust site


@dataclass(frozen=True)
class OdsSuccession:
    predecessor: str
    successor: str
    date: str | None


@dataclass(frozen=True)
class Skipped:
    file: str
    line: int
    reason: str


@dataclass
class OdsFiles:
    organisations: dict[str, list[OdsOrganisation]] = field(default_factory=dict)  # by file name
    successions: list[OdsSuccession] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def _date(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    return dt.datetime.strptime(text, "%Y%m%d").date().isoformat()  # ValueError: reported by the caller


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    # ODS files are plain ASCII in practice; latin-1 never fails on a stray byte.
    with path.open(newline="", encoding="latin-1") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if any(cell.strip() for cell in row):
                yield number, [cell.strip() for cell in row]


def _cell(row: list[str], column: int | None) -> str:
    return row[column - 1] if column is not None and column <= len(row) else ""


def _organisation(spec: OrganisationFile, row: list[str], sub_icbs: dict[str, str]) -> OdsOrganisation | str | None:
    """The organisation, the reason the row cannot be read, or None for a row the file holds
    but the platform does not (a prescribing cost centre that is not a GP practice)."""
    if len(row) < layout.CLOSE_DATE:
        return f"{len(row)} columns; an ODS row has at least {layout.CLOSE_DATE}"
    code = ods.normalise(_cell(row, layout.CODE))
    if (problem := ods.shape_problem(code)) is not None:
        return problem
    if spec.only_setting is not None and _cell(row, spec.setting) != spec.only_setting:
        return None
    name = _cell(row, layout.NAME)
    if not name:
        return f"{code} has no name (column {layout.NAME})"
    try:
        opened, closed = _date(_cell(row, layout.OPEN_DATE)), _date(_cell(row, layout.CLOSE_DATE))
    except ValueError:
        return f"{code}: open or close date is not a YYYYMMDD date"
    status = "CLOSED" if closed or _cell(row, spec.status) == "C" else "ACTIVE"
    commissioner = _cell(row, spec.commissioner)
    icbs = [commissioner, sub_icbs.get(commissioner, ""), _cell(row, layout.HIGH_LEVEL_HEALTH_GEOGRAPHY),
            _cell(row, layout.NATIONAL_GROUPING)]
    parent = ods.normalise(_cell(row, spec.parent)) if spec.parent_is_trust else ""
    return OdsOrganisation(code, name, spec.kind, list(spec.care_settings), _cell(row, layout.POSTCODE) or None, opened, closed,
                           status, [code for code in icbs if code], parent or None)


def read_directory(directory: Path | str) -> OdsFiles:
    """Every ODS file the platform knows that the directory holds (names matched ignoring case)."""
    folder = Path(directory)
    present = {path.name.lower(): path for path in folder.iterdir() if path.is_file()}
    found = OdsFiles()
    sub_icbs: dict[str, str] = {}
    if (path := present.get(layout.SUB_ICB_LOCATIONS)) is not None:
        found.files.append(path.name)
        sub_icbs = {row[0]: _cell(row, layout.HIGH_LEVEL_HEALTH_GEOGRAPHY) for _, row in _rows(path) if row and row[0]}
    for spec in layout.ORGANISATION_FILES:
        path = present.get(spec.name)
        if path is None:
            found.not_found.append(spec.name)
            continue
        found.files.append(path.name)
        rows = found.organisations.setdefault(spec.name, [])
        for number, row in _rows(path):
            read = _organisation(spec, row, sub_icbs)
            if isinstance(read, str):
                found.skipped.append(Skipped(path.name, number, read))
            elif read is not None:
                rows.append(read)
    if (path := present.get(layout.SUCCESSORS)) is not None:
        found.files.append(path.name)
        for number, row in _rows(path):
            predecessor, successor = ods.normalise(_cell(row, layout.PREDECESSOR)), ods.normalise(_cell(row, layout.SUCCESSOR))
            try:
                date = _date(_cell(row, layout.SUCCESSION_DATE))
            except ValueError:
                found.skipped.append(Skipped(path.name, number, "the effective date is not a YYYYMMDD date"))
                continue
            if ods.shape_problem(predecessor) or ods.shape_problem(successor):
                found.skipped.append(Skipped(path.name, number, f"'{predecessor[:12]}' or '{successor[:12]}' is not an ODS code"))
                continue
            found.successions.append(OdsSuccession(predecessor, successor, date))
    else:
        found.not_found.append(layout.SUCCESSORS)
    return found
