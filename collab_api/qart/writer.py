"""Drawing the QART workbook for a collaborative, in the layout the reader reads back (no
database here: `usecases.qart_export` fetches the rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import WorkbookCell, WorkbookIcb, WorkbookSite
from collab_api.domain.stage_text import NOT_APPLICABLE_TEXTS, stage_label
from collab_api.domain.stages import STAGES
from collab_api.domain.text import starts_a_formula
from collab_api.qart.layout import (
    ADULT_PAEDS, EMERGENCY, FIRST_ROW, HEADER_ROW, LAST_ROW, MATERNITY, SETTING_LABELS, SHEETS, SHORT_NAMES, SITE_CODE, SITE_NAME,
    TRUST_CODE, TRUST_NAME, Sheet,
)

CAPACITY = LAST_ROW - FIRST_ROW + 1
# Which sites each sheet lists, as the national template does.
def _in_phase(site: WorkbookSite) -> bool:
    return site["phase"] is not None


def _maternity(site: WorkbookSite) -> bool:
    return bool(site["maternityAndNeonatal"])


def _emergency(site: WorkbookSite) -> bool:
    return bool(site["emergencyDepartment"])


LISTED: dict[str, tuple[str, Callable[[WorkbookSite], bool]]] = {
    ADULT_PAEDS.name: ("sites in a roll-out phase", _in_phase),
    MATERNITY.name: ("sites with maternity and neonatal services", _maternity),
    EMERGENCY.name: ("sites with an emergency department", _emergency)}
MEDICINES_FIRST_ROW, MATNEO_FIRST_ROW = 6, 8  # the ICB rows (Medicines) and ICB and trust rows (MatNeo), from column B


class ExportError(ValueError):
    pass


def sheet_sites(sites: Sequence[WorkbookSite], collaborative: str) -> dict[str, list[WorkbookSite]]:
    """The sites each Martha's Rule sheet lists; ExportError when a sheet would need more rows
    than the template's 24."""
    listed = {sheet.name: [site for site in sites if LISTED[sheet.name][1](site)] for sheet in SHEETS}
    if not any(listed.values()):
        raise ExportError(f"collaborative {collaborative} has no sites in a roll-out phase or flagged for maternity and "
                          "neonatal services or an emergency department")
    for name, rows in listed.items():
        if len(rows) > CAPACITY:
            raise ExportError(f"the sheet '{name}' would list {len(rows)} {LISTED[name][0]} of {collaborative}, and the "
                              f"template holds {CAPACITY} (rows {FIRST_ROW} to {LAST_ROW}): the national team's template "
                              "cannot take this collaborative's return in one workbook; ask them for a longer template")
    return listed


def write_workbook(sites: Sequence[WorkbookSite], icbs: Sequence[WorkbookIcb], component_names: dict[str, str], collaborative: str,
                   reporting: Quarter, out: Path | str | BinaryIO, *, prefill: bool) -> int:
    """Write the workbook for `sites` (their phase, services and any prefilled stages) to a
    path or an open binary file; returns how many stage cells were prefilled."""
    listed = sheet_sites(sites, collaborative)
    workbook = Workbook()
    intro = workbook.active
    assert intro is not None  # a new workbook has one sheet
    intro.title = "Intro"
    _intro(intro, collaborative, reporting, prefill)
    lists = workbook.create_sheet("Lists")
    choices = [s.label for s in STAGES] + list(NOT_APPLICABLE_TEXTS)
    for index, choice in enumerate(choices, start=1):
        lists.cell(index, 1, choice)
    lists.sheet_state = "hidden"
    filled = 0
    for sheet in SHEETS:
        filled += _sheet(workbook.create_sheet(sheet.name), sheet, listed[sheet.name], component_names, collaborative, reporting,
                         len(choices))
    _medicines(workbook.create_sheet("Medicines"), icbs)
    _matneo(workbook.create_sheet("MatNeo"), icbs)
    workbook.active = 0  # Intro, as in the national template
    if isinstance(out, (str, Path)):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return filled


def _put(cell: Any, value: Any) -> None:
    """Write a value taken from the graph: text that would start a formula (a site named
    '=HYPERLINK(...') is kept as text, never a formula (openpyxl makes any '=' text one)."""
    cell.value = value
    if starts_a_formula(value):
        cell.data_type = "s"


def _medicines(sheet: Any, icbs: Sequence[WorkbookIcb]) -> None:
    sheet["B2"] = "Medicines: one row per ICB (not read by the platform)"
    sheet["B2"].font = Font(bold=True, size=12)
    sheet[f"B{MEDICINES_FIRST_ROW - 1}"], sheet[f"C{MEDICINES_FIRST_ROW - 1}"] = "ICB", "ICB code"
    for offset, icb in enumerate(icbs):
        _put(sheet[f"B{MEDICINES_FIRST_ROW + offset}"], icb["name"])
        _put(sheet[f"C{MEDICINES_FIRST_ROW + offset}"], icb["code"])
    sheet.column_dimensions["B"].width = 60


def _matneo(sheet: Any, icbs: Sequence[WorkbookIcb]) -> None:
    sheet["B2"] = "MatNeo: deterioration tools, one row per ICB and per trust (not read by the platform)"
    sheet["B2"].font = Font(bold=True, size=12)
    for letter, title in zip("BCD", ("ICB or trust", "Trust code", "Trust name")):
        sheet[f"{letter}{MATNEO_FIRST_ROW - 1}"] = title
    row = MATNEO_FIRST_ROW
    for icb in icbs:
        _put(sheet[f"B{row}"], icb["name"])
        row += 1
        for trust in sorted({t["code"]: t for t in icb["trusts"]}.values(), key=lambda t: t["code"]):
            sheet[f"B{row}"] = "Trust"
            _put(sheet[f"C{row}"], trust["code"])
            _put(sheet[f"D{row}"], trust["name"])
            row += 1
    for letter, width in (("B", 60), ("C", 12), ("D", 60)):
        sheet.column_dimensions[letter].width = width


def _intro(sheet: Any, code: str, quarter: Quarter, prefill: bool) -> None:
    lines = [
        f"Quarterly adoption return: Martha's Rule, {quarter.label}",
        f"Collaborative: {code}. Written {dt.date.today().isoformat()} by the patient safety collaboratives platform.",
        "Fill in one stage per cell from the drop-down list: 'Stage 0 - No contact' to 'Stage 7 - Sustained',",
        "or a 'not applicable' answer: 'No adult patients', 'No paediatric patients' or 'Not applicable'. "
        "Leave a cell empty if not reported.",
        "Save the file with 'returned' in its name and send it back."
        + (" Each site's latest answer is filled in, from whichever quarter it was reported for: a note on each filled "
           "cell says which. Change any that have moved on." if prefill else ""),
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row, 1, line)
    sheet["A1"].font = Font(bold=True, size=14)


def _sheet(sheet: Any, layout: Sheet, sites: Sequence[WorkbookSite], keys: dict[str, str], code: str,
           quarter: Quarter, choice_count: int) -> int:
    sheet["B2"] = f"{layout.name}: {code}, {quarter.label}"
    sheet["B2"].font = Font(bold=True, size=12)
    headers = {TRUST_CODE: "Trust code", TRUST_NAME: "Trust name", SITE_CODE: "Site code", SITE_NAME: "Site name"}
    if layout.phase_column:
        headers[layout.phase_column] = "Phase"
    for stage_column in layout.stage_columns:
        headers[stage_column.column] = f"{SETTING_LABELS[stage_column.care_setting]}: {SHORT_NAMES[stage_column.component]}"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for letter, title in headers.items():
        cell = sheet[f"{letter}{HEADER_ROW}"]
        cell.value, cell.font, cell.fill = title, bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = 16 if letter not in (TRUST_NAME, SITE_NAME) else 40
    validation = DataValidation(type="list", formula1=f"=Lists!$A$1:$A${choice_count}", allow_blank=True,
                                error="Choose a stage or a 'not applicable' answer from the list", showErrorMessage=False)
    sheet.add_data_validation(validation)
    filled = 0
    for offset, site in enumerate(sites):
        row = FIRST_ROW + offset
        for letter, value in ((TRUST_CODE, site["trustCode"]), (TRUST_NAME, site["trustName"]), (SITE_CODE, site["siteCode"]),
                              (SITE_NAME, site["siteName"])):
            _put(sheet[f"{letter}{row}"], value)
        if layout.phase_column and site["phase"] is not None:
            sheet[f"{layout.phase_column}{row}"] = site["phase"]
        known: dict[tuple[str | None, str | None], WorkbookCell] = {}
        for answer in sorted(site["cells"], key=lambda c: c.get("quarterIndex") or 0):  # the latest of each cell wins
            known[(keys.get(answer["component"] or ""), answer["setting"])] = answer
        for column in layout.stage_columns:
            ref = f"{column.column}{row}"
            validation.add(ref)
            cell = known.get((column.component, column.care_setting))
            if cell is None:
                continue
            if cell["notApplicable"]:
                _put(sheet[ref], cell["notApplicable"])
            elif cell["stage"] is not None:
                sheet[ref] = stage_label(cell["stage"])
            else:
                continue
            if cell.get("quarter"):
                sheet[ref].comment = Comment(f"Reported for {cell['quarter']}", "Patient safety collaboratives")
            filled += 1
    sheet.freeze_panes = f"F{FIRST_ROW}"
    return filled
