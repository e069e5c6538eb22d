"""Reading a returned QART workbook into rows of stage cells, with every refusal explained.

Pure reading: it checks what the workbook alone can tell (shapes, duplicates, stage text);
the importer checks the rows against the graph.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string as column_index, get_column_letter

from collab_api.domain import ods
from collab_api.domain.identifiers import KINDS, contains_nhs_number, findings
from collab_api.domain.text import TITLE as NAME_LIMIT
from collab_api.domain.stage_text import StageCell, read_stage
from collab_api.qart.layout import FIRST_ROW, HEADER_ROW, MARTHAS_RULE, ReturnLayout, Sheet, StageColumn


WITHHELD = "[withheld]"


class WorkbookError(ValueError):
    """The file is not a workbook this reader can use; nothing was imported."""


class WorkbookTooLarge(WorkbookError):
    """The workbook is over a limit (rows, unpacked size, parts, time, memory); nothing was imported."""


# The template has rows 7 to 30 for sites; a longer list (a collaborative with more sites) is
# read on down to the layout's `max_rows` a sheet, and a workbook with anything below is refused
# whole, never read in part.
EXCEL_LAST_ROW = 1_048_576


@dataclass(frozen=True)
class Rejection:
    sheet: str
    cell: str  # a cell such as G7, or a row such as 7:7
    value: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "value": self.value, "reason": self.reason}


@dataclass
class StageEntry:
    column: StageColumn
    cell: str
    value: str
    reading: StageCell


@dataclass
class ReturnRow:
    sheet: str
    row: int
    trust_code: str | None  # blank: the site's trust in the graph
    trust_name: str | None
    site_code: str
    site_name: str | None
    phase: int | None
    entries: list[StageEntry] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.row}:{self.row}"


@dataclass
class ParsedReturn:
    rows: list[ReturnRow] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    missing_sheets: list[str] = field(default_factory=list)
    other_sheets: list[str] = field(default_factory=list)  # present and not read (Intro, Medicines, MatNeo, ...)
    own_words: list[str] = field(default_factory=list)  # the Intro sheet's text and the sheets' titles: what it says it is
    rows_read: int = 0
    rows_rejected: int = 0


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


LAST_PHASE = 9


def _phase(value: Any) -> int | None | str:
    """The national roll-out wave (1, 2, 3 and later, written as text or a number), None when
    empty, or the reason it cannot be read."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    reason = f"phase must be a roll-out phase number from 1 to {LAST_PHASE}, got '{str(value).strip()[:20]}'"
    try:
        number = float(str(value).strip())
    except ValueError:
        return reason
    return int(number) if number.is_integer() and 1 <= number <= LAST_PHASE else reason


def open_workbook(source: bytes | Path | str, *, formulas: bool = False) -> Any:
    """The workbook read-only, with each formula cell's saved value (or, formulas=True, its formula)."""
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookError(f"not a readable Excel workbook (.xlsx): {type(exc).__name__}: {str(exc)[:120]}") from exc
    except MemoryError:
        raise  # a ceiling, not damage: qart.isolated says so
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        if "memory" in str(exc).lower():  # zlib's "insufficient memory"
            raise MemoryError(str(exc)) from exc
        raise WorkbookError(f"not a readable Excel workbook (.xlsx): {type(exc).__name__}") from exc


def read_return(source: bytes | Path | str, layout: ReturnLayout = MARTHAS_RULE) -> ParsedReturn:
    """Every row of the layout's sheets. Parse it through `qart.isolated` when the file comes
    from outside: that applies the size, memory and time limits."""
    workbook = open_workbook(source)
    with_formulas = open_workbook(source, formulas=True)  # to tell a formula never calculated from an empty cell
    parsed = ParsedReturn()
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        read = {sheet.name.lower() for sheet in layout.sheets}
        parsed.other_sheets = [name for name in workbook.sheetnames if name.strip().lower() not in read]
        if (intro := names.get("intro")) is not None:
            parsed.own_words += _texts(workbook[intro], rows=60, columns=15)
        for sheet in layout.sheets:
            actual = names.get(sheet.name.lower())
            if actual is None:
                parsed.missing_sheets.append(sheet.name)
                continue
            parsed.sheets.append(sheet.name)
            parsed.own_words += _texts(workbook[actual], rows=FIRST_ROW - 2, columns=6)  # its title, above the header
            if not layout.national:
                _check_headers(workbook[actual], sheet, layout)
            _read_sheet(workbook[actual], with_formulas[actual], sheet, layout, parsed)
    finally:
        workbook.close()
        with_formulas.close()
    if not parsed.sheets:
        raise WorkbookError(f"the workbook has none of the {layout.title} sheets "
                            f"({', '.join(s.name for s in layout.sheets)}): is it the return for another intervention?")
    return parsed


def _header_text(value: Any) -> str:
    return " ".join(str(value or "").split()).lower()


def _check_headers(worksheet: Any, sheet: Sheet, layout: ReturnLayout) -> None:
    """A layout of the platform's own is read by position: each stage column must be headed with
    its component, or the file is another intervention's (or its columns were moved)."""
    columns = sheet.stage_columns
    last = column_index(columns[-1].column)
    headers = next(worksheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, max_col=last, values_only=True), ())
    for column in columns:
        index = column_index(column.column) - 1
        found = headers[index] if index < len(headers) else None
        if _header_text(found) != _header_text(layout.component_header(column.component)):
            raise WorkbookError(
                f"on the sheet '{sheet.name}', cell {column.column}{HEADER_ROW} is headed '{str(found or '')[:60]}' where the "
                f"{layout.title} return has '{column.component}': is it the return for another intervention, or were "
                "columns moved? Download the workbook again and copy the answers into it")


def _texts(worksheet: Any, *, rows: int, columns: int) -> list[str]:
    """The text cells of a sheet's top-left corner."""
    return [value.strip() for row in worksheet.iter_rows(min_row=1, max_row=rows, max_col=columns, values_only=True)
            for value in row if isinstance(value, str) and value.strip()]


def _rows(worksheet: Any, last_column: int) -> Any:
    # Down to Excel's last row, whatever the sheet's own <dimension> claims (openpyxl would stop there).
    return worksheet.iter_rows(min_row=FIRST_ROW, max_row=EXCEL_LAST_ROW, max_col=last_column, values_only=True)


def _read_sheet(worksheet: Any, formulas: Any, sheet: Sheet, layout: ReturnLayout, parsed: ParsedReturn) -> None:
    columns = sheet.stage_columns
    seen_sites: dict[str, int] = {}
    last = FIRST_ROW + layout.max_rows - 1
    trust_column, _, code_column, _ = layout.identity
    noun = layout.row_noun
    width = layout.last_column
    for number, (values, written) in enumerate(zip(_rows(worksheet, width), _rows(formulas, width)), start=FIRST_ROW):
        value = {get_column_letter(index + 1): item for index, item in enumerate(values)}
        identity = [_text(value.get(col)) if col else None for col in layout.identity]
        stages = {column.column: value.get(column.column) for column in columns}
        uncalculated = {column.column for column in columns if stages[column.column] is None
                        and isinstance(formula := written[column_index(column.column) - 1], str) and formula.startswith("=")}
        if not any(identity) and all(_text(v) is None for v in stages.values()) and not uncalculated:
            continue  # a blank row
        if number > last:
            raise WorkbookTooLarge(f"the sheet '{sheet.name}' has rows below row {last}: at most {layout.max_rows:,} {noun} rows "
                                   "a sheet are read, and a return is never read in part; split it in two")
        parsed.rows_read += 1

        def reject_row(reason: str, cell: str = f"{number}:{number}", shown: str | None = None) -> None:
            parsed.rows_rejected += 1
            parsed.rejections.append(Rejection(sheet.name, cell, shown, reason))

        if any(text and contains_nhs_number(text) for text in identity):
            reject_row("the row appears to contain an NHS number; the platform holds no patient-identifiable data")
            continue
        if found := sorted({kind for text in identity[1::2] if text for kind in findings(text)}):  # the names
            reject_row(f"the {'trust or site' if layout.national else 'organisation'} name appears to contain {' and '.join(KINDS[kind] for kind in found)}; "
                       "the platform holds no patient-identifiable data and names no one as culpable")
            continue
        if any(text and len(text) > NAME_LIMIT for text in identity[1::2]):
            reject_row(f"the {'trust or site' if layout.national else 'organisation'} name is over {NAME_LIMIT} characters")
            continue
        trust_code, _, site_code, _ = identity
        if trust_code:  # blank (often a single space) when ODS gives the site no single trust
            trust_code = ods.normalise(trust_code)
            if (problem := ods.shape_problem(trust_code, "TRUST")) is not None:
                reject_row(problem, f"{trust_column}{number}", trust_code)
                continue
        if not site_code:
            reject_row(f"the row has no {noun} code (column {code_column})", f"{code_column}{number}")
            continue
        site_code = ods.normalise(site_code)
        if (problem := ods.shape_problem(site_code, "SITE" if layout.national else None)) is not None:
            reject_row(problem, f"{code_column}{number}", site_code)
            continue
        if site_code in seen_sites:
            reject_row(f"{noun} {site_code} is already reported in row {seen_sites[site_code]} of this sheet",
                       f"{code_column}{number}", site_code)
            continue
        seen_sites[site_code] = number

        phase = None
        if sheet.phase_column:
            phase_value = _phase(value.get(sheet.phase_column))
            if isinstance(phase_value, str):
                parsed.rejections.append(Rejection(sheet.name, f"{sheet.phase_column}{number}",
                                                   _text(value.get(sheet.phase_column)), phase_value))
            else:
                phase = phase_value
        row = ReturnRow(sheet.name, number, trust_code, identity[1], site_code, identity[3], phase)
        for column in columns:
            raw = stages[column.column]
            cell = f"{column.column}{number}"
            if column.column in uncalculated:
                parsed.rejections.append(Rejection(sheet.name, cell, None, (
                    "the cell holds a formula with no saved value: open the workbook in Excel, let it calculate and save "
                    "it, or type the stage")))
                continue
            reading = read_stage(raw)
            if reading.empty:
                continue
            expected = layout.not_applicable_in(column.care_setting)
            if reading.not_applicable and reading.not_applicable != expected:
                reading = StageCell(problem=f"'{reading.not_applicable}' is not an answer in a {layout.setting_label(column.care_setting)} "
                                            f"column: the not-applicable answer here is '{expected}' (or a stage)")
            if reading.problem:
                shown, problem = _text(raw), reading.problem
                if shown and contains_nhs_number(shown):  # never echo it back
                    shown, problem = WITHHELD, "the cell appears to contain an NHS number"
                    reading = StageCell(problem=problem)
                parsed.rejections.append(Rejection(sheet.name, cell, shown, problem))
            row.entries.append(StageEntry(column, cell, _text(raw) or "", reading))
        parsed.rows.append(row)
