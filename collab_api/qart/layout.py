"""Where things are in the Martha's Rule sheets of the QART workbook.

Cells are Excel's: column letters, 1-based rows. Each stage column carries one component
(check-in, clinical review, escalation) in one care setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import column_index_from_string, get_column_letter

FIRST_ROW, LAST_ROW = 7, 30
LAST_COLUMN = 32  # AF, the last stage column of the emergency departments sheet
HEADER_ROW = 6
TRUST_CODE, TRUST_NAME, SITE_CODE, SITE_NAME = "B", "C", "D", "E"

CHECK_IN = "Patient check-in"
CLINICAL_REVIEW = "Independent clinical review"
ESCALATION = "Escalation available to patients and carers"
COMPONENTS = (CHECK_IN, CLINICAL_REVIEW, ESCALATION)
SHORT_NAMES = {CHECK_IN: "Check-in", CLINICAL_REVIEW: "Clinical review", ESCALATION: "Escalation"}


@dataclass(frozen=True)
class StageColumn:
    column: str
    component: str
    care_setting: str


@dataclass(frozen=True)
class Sheet:
    name: str
    settings: tuple[tuple[str, str], ...]  # (care setting, first column of its three)
    phase_column: str | None = None

    @property
    def stage_columns(self) -> list[StageColumn]:
        columns = []
        for setting, first in self.settings:
            start = column_index_from_string(first)
            for offset, component in enumerate(COMPONENTS):
                columns.append(StageColumn(get_column_letter(start + offset), component, setting))
        return columns


ADULT_PAEDS = Sheet("MR - Adult & Paeds", (("ADULT_INPATIENT", "G"), ("PAEDIATRIC_INPATIENT", "K")), phase_column="F")
MATERNITY = Sheet("MR - Maternity & Neonatal", (
    ("ANTENATAL", "F"), ("INTRAPARTUM", "J"), ("POSTNATAL", "N"), ("TRANSITIONAL_CARE", "R"), ("NEONATAL", "V")))
EMERGENCY = Sheet("MR - Emergency Departments", (
    ("ED_ADULT_WAITING_ROOM", "F"), ("ED_ADULT_MAJORS", "J"), ("ED_ADULT_TES", "N"), ("ED_ADULT_RESUS", "R"),
    ("ED_PAEDIATRIC_WAITING_ROOM", "V"), ("ED_PAEDIATRIC_MAJORS", "Z"), ("ED_PAEDIATRIC_RESUS", "AD")))
SHEETS = (ADULT_PAEDS, MATERNITY, EMERGENCY)
SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}

# The one not-applicable answer each column takes, as the national scripts count them: "No adult
# patients" in the adult columns, "No paediatric patients" in the paediatric ones, "Not
# applicable" on the maternity and emergency department sheets.
NOT_APPLICABLE_IN = {"ADULT_INPATIENT": "No adult patients", "PAEDIATRIC_INPATIENT": "No paediatric patients",
                     **{setting: "Not applicable" for sheet in (MATERNITY, EMERGENCY) for setting, _ in sheet.settings}}

SETTING_LABELS = {
    "ADULT_INPATIENT": "Adults", "PAEDIATRIC_INPATIENT": "Paediatrics", "ANTENATAL": "Antenatal",
    "INTRAPARTUM": "Intrapartum", "POSTNATAL": "Postnatal", "TRANSITIONAL_CARE": "Transitional care",
    "NEONATAL": "Neonatal", "ED_ADULT_WAITING_ROOM": "Adults waiting room", "ED_ADULT_MAJORS": "Adults majors",
    "ED_ADULT_TES": "Adults TES", "ED_ADULT_RESUS": "Adults resus", "ED_PAEDIATRIC_WAITING_ROOM": "Paediatric waiting room",
    "ED_PAEDIATRIC_MAJORS": "Paediatric majors", "ED_PAEDIATRIC_RESUS": "Paediatric resus",
}
