"""Where things are in a quarterly return workbook.

Martha's Rule has the national QART template's layout: three sheets of sites under their trusts,
each stage column one component (check-in, clinical review, escalation) in one care setting.
Any other intervention with components gets a layout of the platform's own: a sheet per care
setting it works in, one row per organisation, one stage column per component.
Cells are Excel's: column letters, 1-based rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.utils import column_index_from_string, get_column_letter

from collab_api.domain.vocabulary import CARE_SETTING_LABELS

FIRST_ROW, LAST_ROW = 7, 30
HEADER_ROW = 6
TRUST_CODE, TRUST_NAME, SITE_CODE, SITE_NAME = "B", "C", "D", "E"
ORGANISATION_CODE, ORGANISATION_NAME, FIRST_COMPONENT = "B", "C", "D"  # a layout of the platform's own

CHECK_IN = "Patient check-in"
CLINICAL_REVIEW = "Independent clinical review"
ESCALATION = "Escalation available to patients and carers"
COMPONENTS = (CHECK_IN, CLINICAL_REVIEW, ESCALATION)
SHORT_NAMES = {CHECK_IN: "Check-in", CLINICAL_REVIEW: "Clinical review", ESCALATION: "Escalation"}
MARTHAS_RULE_ID = "marthas-rule"
WHOLE_INTERVENTION = "Whole intervention"  # the column for an answer about the intervention as a whole (no component)
NOT_APPLICABLE = "Not applicable"
MAX_SITE_ROWS = 2_000  # a sheet of the national template (England has about 1,000 hospital sites)
MAX_ORGANISATION_ROWS = 5_000  # a sheet of the platform's own: a collaborative's care homes or GP practices


@dataclass(frozen=True)
class StageColumn:
    column: str
    component: str
    care_setting: str | None


@dataclass(frozen=True)
class Sheet:
    name: str
    settings: tuple[tuple[str | None, str], ...]  # (care setting, first column of its components)
    phase_column: str | None = None
    components: tuple[str, ...] = COMPONENTS

    @property
    def stage_columns(self) -> list[StageColumn]:
        columns = []
        for setting, first in self.settings:
            start = column_index_from_string(first)
            for offset, component in enumerate(self.components):
                columns.append(StageColumn(get_column_letter(start + offset), component, setting))
        return columns


def _care_setting_label(setting: str | None) -> str:
    return CARE_SETTING_LABELS.get(setting or "", "All settings")


@dataclass(frozen=True)
class ReturnLayout:
    """An intervention's return: its sheets, and the words its cells and headers use.
    `national`: the national QART template (trusts and sites, phases, Medicines and MatNeo)."""

    intervention: str
    title: str
    sheets: tuple[Sheet, ...]
    not_applicable: tuple[tuple[str | None, str], ...]  # (care setting, the one not-applicable answer its columns take)
    national: bool = False

    @property
    def identity(self) -> tuple[str | None, str | None, str, str]:
        """The columns of the trust's code and name (None: none) and the organisation's."""
        if self.national:
            return TRUST_CODE, TRUST_NAME, SITE_CODE, SITE_NAME
        return None, None, ORGANISATION_CODE, ORGANISATION_NAME

    @property
    def row_noun(self) -> str:
        return "site" if self.national else "organisation"

    @property
    def max_rows(self) -> int:
        return MAX_SITE_ROWS if self.national else MAX_ORGANISATION_ROWS

    @property
    def last_column(self) -> int:
        return max(column_index_from_string(c.column) for sheet in self.sheets for c in sheet.stage_columns)

    def sheet(self, name: str) -> Sheet:
        return next(sheet for sheet in self.sheets if sheet.name == name)

    def not_applicable_in(self, setting: str | None) -> str:
        return dict(self.not_applicable).get(setting, NOT_APPLICABLE)

    def setting_label(self, setting: str | None) -> str:
        if self.national and setting in SETTING_LABELS:
            return SETTING_LABELS[setting]
        return _care_setting_label(setting)

    def component_header(self, component: str) -> str:
        return SHORT_NAMES.get(component, component) if self.national else component

    def as_json(self) -> str:
        return json.dumps({"intervention": self.intervention, "title": self.title, "national": self.national,
                           "notApplicable": self.not_applicable,
                           "sheets": [{"name": s.name, "settings": s.settings, "phase": s.phase_column,
                                       "components": s.components} for s in self.sheets]})

    @classmethod
    def from_json(cls, text: str) -> ReturnLayout:
        given = json.loads(text)
        sheets = tuple(Sheet(s["name"], tuple((setting, first) for setting, first in s["settings"]), s["phase"],
                             tuple(s["components"])) for s in given["sheets"])
        return cls(given["intervention"], given["title"], sheets,
                   tuple((setting, text) for setting, text in given["notApplicable"]), given["national"])


ADULT_PAEDS = Sheet("MR - Adult & Paeds", (("ADULT_INPATIENT", "G"), ("PAEDIATRIC_INPATIENT", "K")), phase_column="F")
MATERNITY = Sheet("MR - Maternity & Neonatal", (
    ("ANTENATAL", "F"), ("INTRAPARTUM", "J"), ("POSTNATAL", "N"), ("TRANSITIONAL_CARE", "R"), ("NEONATAL", "V")))
EMERGENCY = Sheet("MR - Emergency Departments", (
    ("ED_ADULT_WAITING_ROOM", "F"), ("ED_ADULT_MAJORS", "J"), ("ED_ADULT_TES", "N"), ("ED_ADULT_RESUS", "R"),
    ("ED_PAEDIATRIC_WAITING_ROOM", "V"), ("ED_PAEDIATRIC_MAJORS", "Z"), ("ED_PAEDIATRIC_RESUS", "AD")))
SHEETS = (ADULT_PAEDS, MATERNITY, EMERGENCY)

# The one not-applicable answer each column takes, as the national scripts count them: "No adult
# patients" in the adult columns, "No paediatric patients" in the paediatric ones, "Not
# applicable" on the maternity and emergency department sheets.
NOT_APPLICABLE_IN = {"ADULT_INPATIENT": "No adult patients", "PAEDIATRIC_INPATIENT": "No paediatric patients",
                     **{setting: NOT_APPLICABLE for sheet in (MATERNITY, EMERGENCY) for setting, _ in sheet.settings}}

SETTING_LABELS = {
    "ADULT_INPATIENT": "Adults", "PAEDIATRIC_INPATIENT": "Paediatrics", "ANTENATAL": "Antenatal",
    "INTRAPARTUM": "Intrapartum", "POSTNATAL": "Postnatal", "TRANSITIONAL_CARE": "Transitional care",
    "NEONATAL": "Neonatal", "ED_ADULT_WAITING_ROOM": "Adults waiting room", "ED_ADULT_MAJORS": "Adults majors",
    "ED_ADULT_TES": "Adults TES", "ED_ADULT_RESUS": "Adults resus", "ED_PAEDIATRIC_WAITING_ROOM": "Paediatric waiting room",
    "ED_PAEDIATRIC_MAJORS": "Paediatric majors", "ED_PAEDIATRIC_RESUS": "Paediatric resus",
}

MARTHAS_RULE = ReturnLayout(MARTHAS_RULE_ID, "Martha's Rule", SHEETS, tuple(NOT_APPLICABLE_IN.items()), national=True)

_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(label: str, taken: set[str]) -> str:
    """A care setting's label as an Excel sheet name: at most 31 characters, none of []:*?/\\,
    and not one already taken."""
    base = re.sub(r"\s+", " ", _NOT_IN_SHEET_NAMES.sub(" -", label)).strip(" '")[:31].strip(" '") or "Settings"
    name, number = base, 2
    while name.lower() in {t.lower() for t in taken} or name.lower() in ("intro", "lists"):
        suffix = f" ({number})"
        name, number = base[:31 - len(suffix)].rstrip() + suffix, number + 1
    taken.add(name)
    return name


def layout_for(intervention: str, title: str, components: Sequence[str], settings: Sequence[str]) -> ReturnLayout:
    """The return for an intervention: the national template for Martha's Rule; for any other,
    a sheet per care setting (one for all settings when it names none), a column for the
    intervention as a whole and one per component."""
    if intervention == MARTHAS_RULE_ID:
        return MARTHAS_RULE
    taken: set[str] = set()
    chosen: list[str | None] = list(dict.fromkeys(settings)) or [None]
    sheets = tuple(Sheet(sheet_name(_care_setting_label(setting), taken), ((setting, FIRST_COMPONENT),),
                         components=(WHOLE_INTERVENTION, *(c for c in components if c.lower() != WHOLE_INTERVENTION.lower())))
                   for setting in chosen)
    return ReturnLayout(intervention, title, sheets, tuple((setting, NOT_APPLICABLE) for setting in chosen))
