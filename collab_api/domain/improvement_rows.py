"""Typed rows of measuring improvement and of improvement partnerships, plans and inspections,
as graph access returns them (see rows.py for the rest)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict


class MeasureSeriesHead(TypedDict):
    key: str
    organisation: str
    interventionId: str
    measure: str
    kind: str | None
    periodType: str
    isRate: bool | None
    ratePer: float | None
    improvement: str | None


class MeasureContext(TypedDict):
    organisation: str | None
    intervention: str | None
    document: str | None
    firstRecorded: dt.date | None
    trust: str | None
    collaboratives: list[str]
    adopted: bool
    series: list[MeasureSeriesHead]


class MeasurePointRow(TypedDict):
    period: str
    periodStart: dt.date
    value: float
    numerator: float | None
    denominator: float | None


class MeasureAnnotationRow(TypedDict):
    period: str
    kind: str
    text: str


class WithdrawnPointRow(TypedDict):
    period: str
    periodStart: dt.date
    value: float
    reason: str
    withdrawnAt: dt.datetime


class MeasureBaselineRow(TypedDict):
    fromPeriod: str
    points: int
    reason: str
    setAt: dt.datetime


class MeasureSeriesRow(MeasureSeriesHead):
    points: list[MeasurePointRow]
    withdrawn: list[WithdrawnPointRow]
    baselines: list[MeasureBaselineRow]
    annotations: list[MeasureAnnotationRow]


class PdsaCycleRow(TypedDict):
    id: str
    organisation: str
    interventionId: str
    change: str
    prediction: str
    startedOn: dt.date
    endedOn: dt.date | None
    study: str | None
    studyFrom: str | None
    studyTo: str | None
    act: str | None
    adaptation: str | None
    measure: str | None
    recordedAt: dt.datetime | None


class PartnershipRow(TypedDict):
    id: str
    contractingBody: str | None
    startsOn: dt.date | None
    endsOn: dt.date | None
    scope: list[str] | None
    directorRole: str | None
    directorName: str | None  # only when the director consented to be named as a contact
    synthetic: bool | None
    supporting: str | None
    supported: str | None
    interventions: list[str]


class PlanRow(TypedDict):
    id: str
    organisation: str
    title: str
    publishedOn: dt.date
    synthetic: bool | None
    partnership: str | None
    latestMonth: str | None


class PlanUpdateRow(TypedDict):
    id: str
    month: str
    status: str
    progress: str
    latestValue: float | None
    publishedAt: dt.datetime | None


class PlanActionRow(TypedDict):
    id: str
    position: int
    title: str
    theme: str
    ownerRole: str
    dueOn: dt.date | None
    measure: str | None
    updates: list[PlanUpdateRow]


class InspectionRow(TypedDict):
    id: str
    inspectedOn: dt.date
    overall: str
    safe: str | None
    effective: str | None
    caring: str | None
    responsive: str | None
    wellLed: str | None
    source: str | None
    synthetic: bool | None


class SpecialMeasuresRow(TypedDict):
    id: str
    regime: str
    enteredOn: dt.date | None
    exitedOn: dt.date | None
    source: str | None
    synthetic: bool | None


class ImprovedRow(TypedDict):
    """An organisation's regulator history, and [intervention, date, quarterIndex] of what it
    originated ([id, date]) and adopted."""

    organisation: str
    note: str | None
    noteSource: str | None
    inspections: list[InspectionRow]
    periods: list[SpecialMeasuresRow]
    originated: list[list[Any]]
    adopted: list[list[Any]]
