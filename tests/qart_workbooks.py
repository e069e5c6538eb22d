"""Building QART workbooks in tests, cell by cell, as a collaborative would fill them in."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from collab_api.qart.layout import ADULT_PAEDS, EMERGENCY, MATERNITY, SHEETS, Sheet

SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}


def site_row(trust: str, site: str, stages: dict[str, Any] | None = None, *, phase: Any = None,
             trust_name: str = "A trust", site_name: str | None = None) -> dict[str, Any]:
    """A data row: stages maps a column letter to the cell's value."""
    row = {"B": trust, "C": trust_name, "D": site, "E": site_name or f"Site {site}"}
    if phase is not None:
        row["F"] = phase
    row.update(stages or {})
    return row


def workbook_bytes(sheets: dict[str, list[dict[str, Any] | None]], *, extra_sheets: tuple[str, ...] = ("Intro", "Medicines")) -> bytes:
    """sheets: sheet name -> rows from row 7 down (None leaves a blank row)."""
    workbook = Workbook()
    workbook.active.title = extra_sheets[0]
    for name in extra_sheets[1:]:
        workbook.create_sheet(name)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet["B6"] = "Trust code"
        for offset, row in enumerate(rows):
            for column, value in (row or {}).items():
                sheet[f"{column}{7 + offset}"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def columns(sheet: Sheet) -> list[str]:
    return [column.column for column in sheet.stage_columns]


__all__ = ["ADULT_PAEDS", "EMERGENCY", "MATERNITY", "site_row", "workbook_bytes", "columns"]
