"""The column layouts of the ODS CSV extracts the platform reads, in one place.

The files are published by NHS England's Organisation Data Service (ODS) with no header row;
columns are 1-based here, as the ODS reference data catalogue numbers them. Dates are
YYYYMMDD. Unused columns (addresses, telephone numbers, "Null" fillers) are not listed.

| file               | what                              | kind        |
|--------------------|-----------------------------------|-------------|
| `etr.csv`          | NHS trusts                        | TRUST       |
| `ets.csv`          | NHS trust sites                   | SITE        |
| `epraccur.csv`     | GP practices (prescribing cost centres: only prescribing setting 4, GP practice, is read) | GP_PRACTICE |
| `ecarehomesite.csv`| care home sites                   | CARE_HOME   |
| `eccg.csv`         | sub-ICB locations (to find a GP practice's ICB from its commissioner) | - |
| `succ.csv`         | successor organisations (mergers) | -           |
"""

from __future__ import annotations

from dataclasses import dataclass

CODE, NAME = 1, 2
NATIONAL_GROUPING, HIGH_LEVEL_HEALTH_GEOGRAPHY = 3, 4  # NHS England region; ICB
POSTCODE, OPEN_DATE, CLOSE_DATE = 10, 11, 12


@dataclass(frozen=True)
class OrganisationFile:
    """A file of organisations: the standard first 12 columns, and where (if anywhere) this
    file keeps its parent organisation, its commissioner and its status."""

    name: str
    kind: str
    care_settings: tuple[str, ...]
    columns: int  # how many columns a row has
    parent: int | None = None  # ets: the trust; ecarehomesite: the care home's provider (not a trust)
    parent_is_trust: bool = False
    status: int | None = None  # epraccur: A active, C closed, D dormant, P proposed
    commissioner: int | None = None  # epraccur: the sub-ICB location (or ICB) commissioning the practice
    setting: int | None = None  # epraccur: prescribing setting, 4 = GP practice
    only_setting: str | None = None


TRUSTS = OrganisationFile("etr.csv", "TRUST", (), 27)
TRUST_SITES = OrganisationFile("ets.csv", "SITE", (), 27, parent=15, parent_is_trust=True)
GP_PRACTICES = OrganisationFile("epraccur.csv", "GP_PRACTICE", ("PRIMARY_CARE",), 27, status=13, commissioner=15, setting=26,
                                only_setting="4")
CARE_HOMES = OrganisationFile("ecarehomesite.csv", "CARE_HOME", ("CARE_HOME",), 27, parent=15)
ORGANISATION_FILES = (TRUSTS, TRUST_SITES, GP_PRACTICES, CARE_HOMES)  # trusts before their sites

SUB_ICB_LOCATIONS = "eccg.csv"  # 1 code, 2 name, 3 NHS England region, 4 ICB

SUCCESSORS = "succ.csv"
PREDECESSOR, SUCCESSOR, SUCCESSION_REASON, SUCCESSION_DATE = 1, 2, 3, 4
