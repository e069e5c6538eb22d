"""Controlled lists: organisation kinds, care settings, statuses.

Care settings are one list for the whole platform: the broad settings an organisation works
in, and the finer settings the Martha's Rule return reports by (`group` tells them apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class OrganisationKind(str, Enum):
    TRUST = "TRUST"
    SITE = "SITE"
    GP_PRACTICE = "GP_PRACTICE"
    CARE_HOME = "CARE_HOME"
    OTHER = "OTHER"


ORGANISATION_KIND_LABELS = {"TRUST": "NHS trust", "SITE": "Hospital site", "GP_PRACTICE": "GP practice",
                            "CARE_HOME": "Care home", "OTHER": "Other organisation"}


@dataclass(frozen=True)
class CareSetting:
    code: str
    label: str
    group: str


CARE_SETTINGS: tuple[CareSetting, ...] = (
    CareSetting("ACUTE", "Acute hospital", "service"),
    CareSetting("MENTAL_HEALTH", "Mental health", "service"),
    CareSetting("COMMUNITY", "Community services", "service"),
    CareSetting("PRIMARY_CARE", "General practice", "service"),
    CareSetting("CARE_HOME", "Care home", "service"),
    CareSetting("CUSTODY", "Care in custody", "service"),
    CareSetting("AMBULANCE", "Ambulance", "service"),
    CareSetting("MATERNITY", "Maternity", "service"),
    # Martha's Rule reporting settings (the QART workbook)
    CareSetting("ADULT_INPATIENT", "Adult inpatients", "marthas-rule"),
    CareSetting("PAEDIATRIC_INPATIENT", "Paediatric inpatients", "marthas-rule"),
    CareSetting("ANTENATAL", "Antenatal", "marthas-rule"),
    CareSetting("INTRAPARTUM", "Intrapartum", "marthas-rule"),
    CareSetting("POSTNATAL", "Postnatal", "marthas-rule"),
    CareSetting("TRANSITIONAL_CARE", "Transitional care", "marthas-rule"),
    CareSetting("NEONATAL", "Neonatal", "marthas-rule"),
    CareSetting("ED_ADULT_WAITING_ROOM", "ED adults: waiting room", "marthas-rule"),
    CareSetting("ED_ADULT_MAJORS", "ED adults: majors", "marthas-rule"),
    CareSetting("ED_ADULT_TES", "ED adults: TES", "marthas-rule"),
    CareSetting("ED_ADULT_RESUS", "ED adults: resus", "marthas-rule"),
    CareSetting("ED_PAEDIATRIC_WAITING_ROOM", "ED paediatrics: waiting room", "marthas-rule"),
    CareSetting("ED_PAEDIATRIC_MAJORS", "ED paediatrics: majors", "marthas-rule"),
    CareSetting("ED_PAEDIATRIC_RESUS", "ED paediatrics: resus", "marthas-rule"),
)
CARE_SETTING_CODES = frozenset(setting.code for setting in CARE_SETTINGS)
CARE_SETTING_LABELS = {setting.code: setting.label for setting in CARE_SETTINGS}

# The finer settings sit within the broad ones: an acute hospital's inpatient wards and
# emergency department, a maternity service's antenatal to neonatal care.
SETTING_PARENT = {
    "ADULT_INPATIENT": "ACUTE", "PAEDIATRIC_INPATIENT": "ACUTE",
    "ED_ADULT_WAITING_ROOM": "ACUTE", "ED_ADULT_MAJORS": "ACUTE", "ED_ADULT_TES": "ACUTE", "ED_ADULT_RESUS": "ACUTE",
    "ED_PAEDIATRIC_WAITING_ROOM": "ACUTE", "ED_PAEDIATRIC_MAJORS": "ACUTE", "ED_PAEDIATRIC_RESUS": "ACUTE",
    "ANTENATAL": "MATERNITY", "INTRAPARTUM": "MATERNITY", "POSTNATAL": "MATERNITY", "TRANSITIONAL_CARE": "MATERNITY",
    "NEONATAL": "MATERNITY",
}


def setting_and_within(code: str) -> set[str]:
    """The setting and every finer setting within it (ACUTE: itself, the inpatient and ED settings)."""
    return {code} | {child for child, parent in SETTING_PARENT.items() if parent == code}


def setting_fits(code: str, allowed: set[str] | list[str] | tuple[str, ...]) -> bool:
    """Does a setting fit among `allowed`: the same, one within an allowed one, or a broad one
    containing an allowed finer one?"""
    return any(code == other or SETTING_PARENT.get(code) == other or SETTING_PARENT.get(other) == code
               for other in allowed)


class InterventionStatus(str, Enum):
    IDEA = "IDEA"
    TESTING = "TESTING"
    IMPLEMENTED = "IMPLEMENTED"
    EVALUATED = "EVALUATED"
    PROVEN = "PROVEN"
    DID_NOT_WORK = "DID_NOT_WORK"  # tried and found not to work: kept findable, with what was learned
    STOPPED = "STOPPED"  # stopped before it could show either way, with what was learned
    RETIRED = "RETIRED"


class PriorityStatus(str, Enum):
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"
