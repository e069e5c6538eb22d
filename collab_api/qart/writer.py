"""Drawing a collaborative's quarterly return workbook, in the layout the reader reads back (no
database here: `usecases.qart_export` fetches the rows): the national QART template for Martha's
Rule, a sheet per care setting for any other intervention."""

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
from collab_api.domain.rows import WorkbookCell, WorkbookIcb, WorkbookOrganisation, WorkbookSite
from collab_api.domain.stage_text import NOT_APPLICABLE_TEXTS, stage_label
from collab_api.domain.stages import STAGES
from collab_api.domain.text import starts_a_formula
from collab_api.domain.vocabulary import setting_fits
from collab_api.qart.layout import (
    ADULT_PAEDS, EMERGENCY, FIRST_ROW, HEADER_ROW, LAST_ROW, MARTHAS_RULE, MATERNITY, NOT_APPLICABLE, ORGANISATION_CODE,
    ORGANISATION_NAME, SHEETS, SITE_CODE, SITE_NAME, TRUST_CODE, TRUST_NAME, WHOLE_INTERVENTION, ReturnLayout, Sheet,
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


def sheet_organisations(layout: ReturnLayout, organisations: Sequence[WorkbookOrganisation],
                        collaborative: str) -> dict[str, list[WorkbookOrganisation]]:
    """The organisations each sheet of a layout of the platform's own lists: those working in its
    care setting (or in one within it, or containing it); ExportError when there are none at all."""
    listed = {sheet.name: [o for o in organisations
                           if all(setting is None or setting_fits(setting, o["careSettings"]) for setting, _ in sheet.settings)]
              for sheet in layout.sheets}
    if not any(listed.values()):
        settings = ", ".join(sheet.name for sheet in layout.sheets)
        raise ExportError(f"collaborative {collaborative} has no open organisations in the care settings of {layout.title} "
                          f"({settings})")
    return listed


# A row of a sheet: its identity cells by column, its roll-out phase and its answers so far.
Row = tuple[dict[str, Any], int | None, list[WorkbookCell]]
# What a writer did: how many stage cells it prefilled, and the codes each sheet lists.
Written = tuple[int, dict[str, list[str]]]


def write_workbook(sites: Sequence[WorkbookSite], icbs: Sequence[WorkbookIcb], component_names: dict[str, str], collaborative: str,
                   reporting: Quarter, out: Path | str | BinaryIO, *, prefill: bool) -> Written:
    """Write the Martha's Rule workbook for `sites` (their phase, services and any prefilled
    stages) to a path or an open binary file."""
    rows: dict[str, list[Row]] = {name: [({TRUST_CODE: s["trustCode"], TRUST_NAME: s["trustName"], SITE_CODE: s["siteCode"], SITE_NAME: s["siteName"]},
                    s["phase"], s["cells"]) for s in listed] for name, listed in sheet_sites(sites, collaborative).items()}
    return _workbook(MARTHAS_RULE, rows, icbs, component_names, collaborative, reporting, out, prefill=prefill)


def write_organisations_workbook(layout: ReturnLayout, organisations: Sequence[WorkbookOrganisation],
                                 component_names: dict[str, str], collaborative: str, reporting: Quarter,
                                 out: Path | str | BinaryIO, *, prefill: bool) -> Written:
    """Write the workbook of a layout of the platform's own."""
    rows: dict[str, list[Row]] = {name: [({ORGANISATION_CODE: o["code"], ORGANISATION_NAME: o["name"]}, None, o["cells"]) for o in listed]
            for name, listed in sheet_organisations(layout, organisations, collaborative).items()}
    return _workbook(layout, rows, [], component_names, collaborative, reporting, out, prefill=prefill)


def _workbook(layout: ReturnLayout, rows: dict[str, list[Row]], icbs: Sequence[WorkbookIcb], component_names: dict[str, str],
              collaborative: str, reporting: Quarter, out: Path | str | BinaryIO, *, prefill: bool) -> Written:
    workbook = Workbook()
    intro = workbook.active
    assert intro is not None  # a new workbook has one sheet
    intro.title = "Intro"
    _intro(intro, layout, collaborative, reporting, prefill)
    lists = workbook.create_sheet("Lists")
    choices = [s.label for s in STAGES] + (list(NOT_APPLICABLE_TEXTS) if layout.national else [NOT_APPLICABLE])
    for index, choice in enumerate(choices, start=1):
        lists.cell(index, 1, choice)
    lists.sheet_state = "hidden"
    filled = 0
    for sheet in layout.sheets:
        filled += _sheet(workbook.create_sheet(sheet.name), layout, sheet, rows[sheet.name], component_names, collaborative,
                         reporting, len(choices))
    if layout.national:
        _medicines(workbook.create_sheet("Medicines"), icbs)
        _matneo(workbook.create_sheet("MatNeo"), icbs)
    workbook.active = 0  # Intro, as in the national template
    if isinstance(out, (str, Path)):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    code = layout.identity[2]  # the column of each row's own code
    return filled, {name: [str(identity[code]) for identity, _, _ in listed] for name, listed in rows.items()}


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


def _intro(sheet: Any, layout: ReturnLayout, code: str, quarter: Quarter, prefill: bool) -> None:
    lines = [
        f"Quarterly adoption return: {layout.title}, {quarter.label}",
        f"Collaborative: {code}. Written {dt.date.today().isoformat()} by the patient safety collaboratives platform.",
        "Fill in one stage per cell from the drop-down list: 'Stage 0 - No contact' to 'Stage 7 - Sustained',",
        ("or a 'not applicable' answer: 'No adult patients', 'No paediatric patients' or 'Not applicable'. " if layout.national
         else "or 'Not applicable'. Each sheet is a care setting; each row an organisation; each column a part of the "
              "intervention. Do not move, add or rename the columns. ")
        + "Leave a cell empty if not reported.",
        "Save the file with 'returned' in its name and upload it on the platform's Quarterly returns page."
        + (" Each site's latest answer is filled in, from whichever quarter it was reported for: a note on each filled "
           "cell says which. Change any that have moved on." if prefill else ""),
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row, 1, line)
    sheet["A1"].font = Font(bold=True, size=14)


def _sheet(sheet: Any, layout: ReturnLayout, shape: Sheet, rows: Sequence[Row], keys: dict[str, str], code: str,
           quarter: Quarter, choice_count: int) -> int:
    sheet["B2"] = f"{shape.name}: {code}, {quarter.label}" + ("" if layout.national else f" ({layout.title})")
    sheet["B2"].font = Font(bold=True, size=12)
    if layout.national:
        headers = {TRUST_CODE: "Trust code", TRUST_NAME: "Trust name", SITE_CODE: "Site code", SITE_NAME: "Site name"}
    else:
        headers = {ORGANISATION_CODE: "Organisation code", ORGANISATION_NAME: "Organisation name"}
    names = {TRUST_NAME, SITE_NAME} if layout.national else {ORGANISATION_NAME}
    if shape.phase_column:
        headers[shape.phase_column] = "Phase"
    for stage_column in shape.stage_columns:
        header = layout.component_header(stage_column.component)
        headers[stage_column.column] = f"{layout.setting_label(stage_column.care_setting)}: {header}" if layout.national else header
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for letter, title in headers.items():
        cell = sheet[f"{letter}{HEADER_ROW}"]
        cell.value, cell.font, cell.fill = title, bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = 40 if letter in names else 16 if layout.national else 22
    validation = DataValidation(type="list", formula1=f"=Lists!$A$1:$A${choice_count}", allow_blank=True,
                                error="Choose a stage or a 'not applicable' answer from the list", showErrorMessage=False)
    sheet.add_data_validation(validation)
    filled = 0
    for offset, (identity, phase, cells) in enumerate(rows):
        row = FIRST_ROW + offset
        for letter, value in identity.items():
            _put(sheet[f"{letter}{row}"], value)
        if shape.phase_column and phase is not None:
            sheet[f"{shape.phase_column}{row}"] = phase
        known: dict[tuple[str | None, str | None], WorkbookCell] = {}
        for answer in sorted(cells, key=lambda c: c.get("quarterIndex") or 0):  # the latest of each cell wins
            component = keys.get(answer["component"]) if answer["component"] else None if layout.national else WHOLE_INTERVENTION
            known[(component, answer["setting"])] = answer
        for column in shape.stage_columns:
            ref = f"{column.column}{row}"
            validation.add(ref)
            cell, anywhere = known.get((column.component, column.care_setting)), False
            if cell is None and not layout.national:  # an answer given for no particular care setting
                cell, anywhere = known.get((column.component, None)), True
            if cell is None:
                continue
            if cell["notApplicable"]:
                _put(sheet[ref], cell["notApplicable"])
            elif cell["stage"] is not None:
                sheet[ref] = stage_label(cell["stage"])
            else:
                continue
            if cell.get("quarter"):
                sheet[ref].comment = Comment(f"Reported for {cell['quarter']}{' (for no particular care setting)' if anywhere else ''}",
                                             "Patient safety collaboratives")
            filled += 1
    sheet.freeze_panes = f"{shape.stage_columns[0].column if not layout.national else 'F'}{FIRST_ROW}"
    return filled
