"""Building small ODS CSV extracts in tests, in the files' real column order (no header row)."""

from __future__ import annotations

import csv
from pathlib import Path


def ods_row(code: str, name: str, *, region: str = "Y61", icb: str = "", postcode: str = "", opened: str = "19990401",
            closed: str = "", extra: dict[int, str] | None = None) -> list[str]:
    """A 27-column row: 1 code, 2 name, 3 national grouping, 4 high level health geography,
    5-9 address, 10 postcode, 11 open date, 12 close date, then file-specific columns."""
    row = [""] * 27
    row[0:4] = [code, name, region, icb]
    row[4:9] = ["1 HOSPITAL ROAD", "", "A TOWN", "", ""]
    row[9:12] = [postcode, opened, closed]
    for column, value in (extra or {}).items():
        row[column - 1] = value
    return row


def write(folder: Path, name: str, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding="ascii") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def essex_files(folder: Path) -> Path:
    """Mid and South Essex as ODS has it: RAJ formed by the 2020 merger of Basildon and Thurrock
    (RDD), Mid Essex (RQ8) and Southend (RAJ itself); the sites keep their old codes."""
    write(folder, "etr.csv", [
        ods_row("RAJ", "MID AND SOUTH ESSEX NHS FOUNDATION TRUST", icb="QH8", postcode="SS0 0RY", opened="19930401"),
        ods_row("RDD", "BASILDON AND THURROCK UNIVERSITY HOSPITALS NHS FOUNDATION TRUST", icb="QH8", postcode="SS16 5NL",
                opened="19930401", closed="20200331"),
        ods_row("RQ8", "MID ESSEX HOSPITAL SERVICES NHS TRUST", icb="QH8", postcode="CM1 7ET", opened="19930401", closed="20200331"),
    ])
    write(folder, "ets.csv", [
        ods_row("RDDH0", "BASILDON UNIVERSITY HOSPITAL", icb="QH8", postcode="SS16 5NL", extra={15: "RAJ", 16: "20200401"}),
        ods_row("RQ8L0", "BROOMFIELD HOSPITAL", icb="QH8", postcode="CM1 7ET", extra={15: "RAJ", 16: "20200401"}),
        ods_row("RAJ01", "SOUTHEND UNIVERSITY HOSPITAL", icb="", postcode="SS0 0RY", extra={15: "RAJ"}),  # ICB from its trust
        ods_row("RAJ12", "ORSETT HOSPITAL", icb="QH8", postcode="RM16 3EU", closed="20250331", extra={15: "RAJ"}),
    ])
    write(folder, "epraccur.csv", [
        ods_row("F81001", "THE WILLIAM FISHER MEDICAL CENTRE", region="Y61", icb="QH8", postcode="SS0 0AB",
                extra={13: "A", 14: "B", 15: "99E", 26: "4"}),
        ods_row("F81999", "SOUTHEND WALK IN CENTRE", icb="QH8", extra={13: "A", 15: "99E", 26: "1"}),  # not a GP practice
    ])
    write(folder, "eccg.csv", [ods_row("99E", "NHS MID AND SOUTH ESSEX ICB - 99E", region="Y61", icb="QH8")])
    write(folder, "succ.csv", [
        ["RDD", "RAJ", "R", "20200401", ""],
        ["RQ8", "RAJ", "R", "20200401", ""],
        ["RXX", "RAJ", "R", "20200401", ""],  # a predecessor the files do not hold
    ])
    return folder
