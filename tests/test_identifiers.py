"""The guard against patient data and named blame, pattern by pattern, with what it must
find and what it must leave alone."""

from __future__ import annotations

from typing import Any

import pytest

from collab_api.domain.identifiers import findings, nhs_number_is_valid

VALID = "9434765919"  # passes the modulus-11 check

FOUND = [
    ("Patient 943 476 5919 fell twice", "NHS_NUMBER"),
    ("NHS no 943-476-5919", "NHS_NUMBER"),
    ("ref 943.476.5919", "NHS_NUMBER"),
    ("no-break 943\u00a0476\u00a05919", "NHS_NUMBER"),
    ("narrow 943\u202f476\u202f5919", "NHS_NUMBER"),
    ("zero width 9434\u200b765919", "NHS_NUMBER"),
    ("full width \uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "NHS_NUMBER"),
    ("en dash 943\u2013476\u20135919", "NHS_NUMBER"),
    ("DOB 12/03/1950, admitted after a fall", "DATE_OF_BIRTH"),
    ("date of birth: 1 March 1950", "DATE_OF_BIRTH"),
    ("born on 12.03.1950 in Leeds", "DATE_OF_BIRTH"),
    ("D.O.B. 1950-03-12", "DATE_OF_BIRTH"),
    ("MRN: A1234567 was reviewed", "RECORD_NUMBER"),
    ("hospital number RF4 123456", "RECORD_NUMBER"),
    ("Hosp no. 00123456", "RECORD_NUMBER"),
    ("Mrs Jones of 12 High Street, LS1 4AB, fell", "POSTCODE_WITH_NAME"),
    ("the patient lives at SW1A 1AA", "POSTCODE_WITH_NAME"),
    ("email jane.smith1970@gmail.com for details", "PERSONAL_CONTACT"),
    ("ring her on 07700 900123", "PERSONAL_CONTACT"),
    ("call +44 7700 900123", "PERSONAL_CONTACT"),
    ("landline 0113 496 0000", "PERSONAL_CONTACT"),
    ("Nurse Jane Smith caused the fall by leaving the bed rails down", "NAMED_BLAME"),
    ("Dr Patel was to blame for the delay", "NAMED_BLAME"),
    ("Jane Smith failed to escalate", "NAMED_BLAME"),
    ("It was the fault of Staff Nurse Brown", "NAMED_BLAME"),
    ("Porter Evans's mistake", "NAMED_BLAME"),
]

# Spellings that got through before (issues 22 and 23), each a test that failed then.
FOUND_TOO = [
    ("NHS no 943\t476\t5919", "NHS_NUMBER"),
    ("ref 943,476,5919", "NHS_NUMBER"),
    ("(943) 476 5919", "NHS_NUMBER"),
    ("[943][476][5919]", "NHS_NUMBER"),
    ("943/476/5919", "NHS_NUMBER"),
    ("943\u2062476\u20625919", "NHS_NUMBER"),
    ("943 - 476 - 5919", "NHS_NUMBER"),
    ("943_476_5919", "NHS_NUMBER"),
    ("nhs: 9434765919.", "NHS_NUMBER"),
    ("943 476 59 19", "NHS_NUMBER"),
    ("DOB 12-Mar-1950", "DATE_OF_BIRTH"),
    ("born 12th of March 1950", "DATE_OF_BIRTH"),
    ("born on the 12th of March 1950", "DATE_OF_BIRTH"),
    ("DOB: 12 Mar 1950", "DATE_OF_BIRTH"),
    ("d.o.b 12/3/50", "DATE_OF_BIRTH"),
    ("Dr J Smith caused the delay", "NAMED_BLAME"),
    ("Dr J. Smith caused the delay", "NAMED_BLAME"),
    ("Nurse McDonald failed to check the chart", "NAMED_BLAME"),
    ("Dr García caused the error", "NAMED_BLAME"),
    ("nurse smith caused the fall", "NAMED_BLAME"),
    ("Sister O'Neill forgot to give the dose", "NAMED_BLAME"),
    ("It happened because of Staff Nurse Mary O'Brien's negligence", "NAMED_BLAME"),
    ("Jane Smith (Band 5) failed to escalate and the patient died", "NAMED_BLAME"),
    ("Dr Lee, the registrar, caused the delay", "NAMED_BLAME"),
    ("due to Mary O'Brien's error", "NAMED_BLAME"),
    ("John Smith, 12 Acacia Avenue, Leeds LS1 4AB", "POSTCODE_WITH_NAME"),
]

LEFT_ALONE = [
    "2.1 arrest calls per 1,000 admissions, 2016-2018",
    "Reviewed on 12/03/2024 by the ward team",
    "Between 1234567890 and later",  # ten digits that fail the check
    "Reporting rose from the bottom 20% to the top 20% of trusts",
    "Our office is at St Thomas' Hospital, SE1 7EH",
    "Contact the team at safety@nhs.net",
    "The Patient Safety Summit caused reporting to rise",
    "Martha's Rule caused more calls at night",
    "Staff of all levels and a patient partner discuss what went wrong",
    "Phase 2 from 2025/26 Q1; 84 sites; 0800 123 4567 is the national helpline",
    "Audit period 01/04/2024 to 31/03/2025",
    "The nurse in charge caused the escalation to happen sooner",
    "Nurse staffing levels caused delays at night",
    "Leeds General Infirmary, Great George Street, Leeds LS1 3EX",
    "Our office: 2 Kings Road, Reading RG1 3BZ",
    "Falls per month: 12, 34, 56, 78, 90, 11, 23",
    "Version 1.2.3 of the checklist, 2024/25 Q3, 10:45",
    "Stage counts 3 4 5 6 7 8 9 0 1 2 across the wards",
    "The Ward Manager failed to get funding until the board agreed",
    "Born out of a Patient Safety Summit in 2019",
]


def test_the_sample_number_is_valid() -> None:
    assert nhs_number_is_valid(VALID) and not nhs_number_is_valid("1234567890")


@pytest.mark.parametrize(("text", "kind"), FOUND + FOUND_TOO)
def test_found(text: str, kind: str) -> None:
    assert kind in findings(text)


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_left_alone(text: str) -> None:
    assert findings(text) == []


def test_a_consented_contact_may_hold_a_name_and_personal_details() -> None:
    assert findings("jane.smith1970@gmail.com", contact_field=True) == []
    assert findings("07700 900123", contact_field=True) == []


@pytest.mark.usefixtures("network")
async def test_every_kind_is_refused_through_the_api_without_echoing_it(gql: Any) -> None:
    record = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
    for text, kind in [(FOUND[0][0], "PATIENT_IDENTIFIER"), (FOUND[8][0], "PATIENT_IDENTIFIER"),
                       (FOUND[17][0], "PERSONAL_DATA"), (FOUND[21][0], "NAMED_BLAME")]:
        errors = (await gql.data(record, {"input": {"organisation": "Z43", "intervention": "news2-deterioration", "stage": 2,
                                                    "quarter": "2025/26 Q2", "localResult": text}}))["recordAdoption"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [("localResult", kind)]
        assert text not in errors[0]["message"] and "943" not in errors[0]["message"]
    fine = (await gql.data(record, {"input": {"organisation": "Z43", "intervention": "news2-deterioration", "stage": 2,
                                              "quarter": "2025/26 Q2", "localResult": LEFT_ALONE[0]}}))["recordAdoption"]
    assert fine["errors"] == []


@pytest.mark.usefixtures("network")
async def test_a_contacts_organisation_passes_the_guard(gql: Any) -> None:
    record = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
    errors = (await gql.data(record, {"input": {
        "organisation": "Z43", "intervention": "news2-deterioration", "stage": 2, "quarter": "2025/26 Q2",
        "contact": {"name": "Falls lead", "email": "falls@example.org", "consentedToContact": True,
                    "organisation": "Ward 4, patient 943/476/5919"}}}))["recordAdoption"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("contact.organisation", "PATIENT_IDENTIFIER")]
    assert "943" not in errors[0]["message"]
