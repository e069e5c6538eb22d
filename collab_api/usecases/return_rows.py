"""What an import says it did (`ImportSummary`), why a whole file is refused, and the
answers each accepted row gives: shared by both kinds of return layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collab_api.domain.adoption import Observation
from collab_api.domain.quarters import Quarter
from collab_api.domain.rows import ObservationWrite, WithdrawnRow
from collab_api.graph.adoptions import observation_row
from collab_api.qart.layout import WHOLE_INTERVENTION
from collab_api.qart.reader import Rejection, ReturnRow


class ImportRefused(ValueError):
    """The whole file was refused; nothing was imported. `field`: the input at fault."""

    def __init__(self, message: str, field: str = "file", code: str = "REFUSED") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass
class ImportSummary:
    file: str | None
    quarter: str
    intervention: str
    collaborative: str | None
    dry_run: bool
    sheets: list[str]
    missing_sheets: list[str]
    other_sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    cells_read: int = 0
    cells_accepted: int = 0
    cells_rejected: int = 0
    observations: dict[str, int] = field(default_factory=lambda: {"CREATED": 0, "UNCHANGED": 0, "CORRECTED": 0})
    sites_created: list[dict[str, str]] = field(default_factory=list)
    sites_moved: list[dict[str, str]] = field(default_factory=list)
    collaboratives_found: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    phases_changed: list[dict[str, Any]] = field(default_factory=list)  # {site, from, to} for this quarter
    sites_new_to_programme: list[str] = field(default_factory=list)
    withdrawn: list[WithdrawnRow] = field(default_factory=list)  # answers of the earlier return this one leaves out
    replaces: bool = False  # an earlier import of this same return (collaborative, intervention, quarter) exists
    return_key: str | None = None  # the return (collaborative, intervention, quarter) this import is of
    upload_listed: bool = False  # the first import of the return, or one that changed it (the same file again is not)
    upload_id: str | None = None  # this upload, listed with the collaborative's past uploads

    def reject_row(self, row: ReturnRow, reason: str) -> None:
        self.rows_rejected += 1
        self.rejections.append(Rejection(row.sheet, row.where, row.site_code, reason))

    def changes(self) -> int:
        return (self.observations["CREATED"] + self.observations["CORRECTED"] + len(self.sites_created) + len(self.sites_moved)
                + len(self.withdrawn) + len(self.phases_changed) + len(self.sites_new_to_programme))

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "quarter": self.quarter, "intervention": self.intervention,
            "collaborative": self.collaborative, "dryRun": self.dry_run,
            "sheets": self.sheets, "missingSheets": self.missing_sheets, "sheetsNotRead": self.other_sheets,
            "rows": {"read": self.rows_read, "accepted": self.rows_accepted, "rejected": self.rows_rejected},
            "cells": {"read": self.cells_read, "accepted": self.cells_accepted, "rejected": self.cells_rejected},
            "observations": {k.lower(): v for k, v in self.observations.items()},
            "sitesCreated": self.sites_created, "sitesMoved": self.sites_moved, "collaborativesFound": self.collaboratives_found,
            "rejections": [r.as_dict() for r in self.rejections],
            "phasesChanged": self.phases_changed, "sitesNewToProgramme": self.sites_new_to_programme,
            "withdrawn": [dict(row) for row in self.withdrawn], "replaces": self.replaces, "uploadId": self.upload_id,
        }


# What each organisation's answers are pinned with: (its roll-out phase, the trust named, the collaborative).
Facts = dict[str, tuple[int | None, str | None, str | None]]


def component_of(name: str, components: dict[str, str]) -> tuple[bool, str | None]:
    """Is the column one of the intervention's (its whole, or a component it has), and its key."""
    if name == WHOLE_INTERVENTION and name.lower() not in components:
        return True, None
    key = components.get(name.lower())
    return key is not None, key


def observations(row: ReturnRow, summary: ImportSummary, components: dict[str, str], quarter: Quarter,
                 at: str) -> list[ObservationWrite]:
    written = []
    for entry in row.entries:
        summary.cells_read += 1
        if entry.reading.problem:
            summary.cells_rejected += 1
            continue
        known, key = component_of(entry.column.component, components)
        if not known:
            summary.cells_rejected += 1
            summary.rejections.append(Rejection(row.sheet, entry.cell, entry.value,
                                                f"{summary.intervention} has no component '{entry.column.component}'"))
            continue
        summary.cells_accepted += 1
        observation = Observation(row.site_code, summary.intervention, entry.column.component if key else None, entry.column.care_setting,
                                  quarter, entry.reading.stage, entry.reading.not_applicable, source="qart")
        written.append(observation_row(observation, key, at=at))
    return written
