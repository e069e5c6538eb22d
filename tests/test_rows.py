"""Rows are built and checked where the query runs: a wrong shape is a loud bug."""

from __future__ import annotations

import datetime as dt

import pytest

from collab_api.domain.rows import OrganisationRow, OriginRow, RecordingContext
from collab_api.graph.common import RowShapeError, shaped

ORGANISATION = {"odsCode": "RF4", "name": "Barking", "kind": "TRUST", "careSettings": ["ACUTE"],
                "synthetic": False, "status": "ACTIVE", "closedOn": None, "openedOn": dt.date(1993, 4, 1), "postcode": "RM7 0AG",
                "maternityAndNeonatal": True, "emergencyDepartment": None, "easting": 551000, "northing": 188000,
                "postcodeSynthetic": False}


def test_a_row_of_the_declared_shape_is_returned_as_it_is() -> None:
    assert shaped(OrganisationRow, ORGANISATION) == ORGANISATION


def test_a_missing_property_that_may_be_null_becomes_none() -> None:
    row = {k: v for k, v in ORGANISATION.items() if k != "closedOn"}
    assert shaped(OrganisationRow, row)["closedOn"] is None


def test_a_missing_key_that_may_not_be_null_is_refused() -> None:
    with pytest.raises(RowShapeError, match="missing 'odsCode'"):
        shaped(OrganisationRow, {k: v for k, v in ORGANISATION.items() if k != "odsCode"})


def test_an_undeclared_key_is_refused() -> None:
    with pytest.raises(RowShapeError, match="unexpected \\['odscode'\\]"):
        shaped(OrganisationRow, {**ORGANISATION, "odscode": "RF4"})


def test_nested_rows_are_checked_too() -> None:
    assert shaped(OriginRow, {"collaborative": None, "organisation": ORGANISATION})["organisation"] == ORGANISATION
    with pytest.raises(RowShapeError, match="OrganisationRow: unexpected"):
        shaped(OriginRow, {"collaborative": None, "organisation": {**ORGANISATION, "extra": 1}})
    context = {
        "organisation": "RF4", "intervention": "x", "version": 1, "status": "TESTING", "organisationTrust": None,
        "organisationCollaboratives": ["UCLP"], "components": [{"key": "k", "name": "n", "oops": dt.date.today()}],
        "sourceOrganisation": None, "sourceCollaborative": None, "sourceAdoptionOrganisation": None,
        "sourceAdoptionIntervention": None, "learning": [],
    }
    with pytest.raises(RowShapeError, match="ComponentRef: unexpected \\['oops'\\]"):
        shaped(RecordingContext, context)
