"""No patient data and no blame: spotting, in free text, what the platform must never hold.

Written as patterns rather than with Presidio, whose recognisers need spaCy language models
downloaded at run time. Each finding names a kind, never the text found:

- NHS_NUMBER: ten digits passing the modulus-11 check, in every spelling people use (spaces,
  dashes, dots, no-break and zero-width spaces, full-width digits);
- DATE_OF_BIRTH: a date next to "DOB", "date of birth", "born";
- RECORD_NUMBER: a hospital, medical record or patient number ("MRN", "hospital number" ...);
- POSTCODE_WITH_NAME: a UK postcode near a person's name (with a title) or an address cue;
- PERSONAL_CONTACT: a personal e-mail address (consumer mail services) or a UK phone number,
  outside the consented contact fields;
- NAMED_BLAME: a named individual presented as culpable ("Nurse Jane Smith caused ...").
"""

from __future__ import annotations

import re
import unicodedata

KINDS = {
    "NHS_NUMBER": "an NHS number",
    "DATE_OF_BIRTH": "a date of birth",
    "RECORD_NUMBER": "a hospital or medical record number",
    "POSTCODE_WITH_NAME": "a person's postcode",
    "PERSONAL_CONTACT": "a personal e-mail address or phone number",
    "NAMED_BLAME": "a named individual blamed for harm",
}

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a\u3000]")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212\uff0d]")


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, invisible characters out, every space a space,
    every dash a hyphen."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _DASHES.sub("-", _SPACES.sub(" ", text))


# -- NHS numbers -----------------------------------------------------------------------------

_NHS_CANDIDATE = re.compile(r"(?<![\d.-])\d(?:[ .-]?\d){9}(?![\d]|[.-]\d)")


def nhs_number_is_valid(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _nhs_number(text: str) -> bool:
    return any(nhs_number_is_valid(re.sub(r"[ .-]", "", m.group())) for m in _NHS_CANDIDATE.finditer(text))


# -- dates of birth, record numbers --------------------------------------------------------------

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = rf"(?:\d{{1,2}}[/.\- ]\d{{1,2}}[/.\- ]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{2,4}}|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_DOB = re.compile(rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birth\s*date)\s*[:\-]?\s*{_DATE}", re.I)
_RECORD = re.compile(
    r"\b(?:mrn|hospital\s+(?:number|no\.?|num)|hosp\.?\s*no\.?|patient\s+(?:id|number|no\.?)|"
    r"(?:medical|health|case)\s+record\s+(?:number|no\.?)|unit\s+number|case\s+number|chi\s+number)\s*[:#=]?\s*"
    r"(?=[A-Z0-9 -]{0,6}\d[A-Z0-9 -]*\d[A-Z0-9 -]*\d)[A-Z0-9](?:[A-Z0-9-]| (?=[A-Z0-9])){4,15}\b", re.I)

# -- postcodes next to a name ----------------------------------------------------------------------

_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}\b", re.I)
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Nurse|Sister|Matron|Midwife|Staff\s+[Nn]urse|Charge\s+[Nn]urse|Porter|Paramedic|Consultant|Registrar|Pharmacist|HCA)"
_PERSON = rf"\b{_TITLES}\.?\s+[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)?"
_ADDRESS_CUE = re.compile(r"\b(?:lives?|living|resides?|residing|home\s+address|address(?:ed)?)\b", re.I)
_NAMED = re.compile(_PERSON)


def _postcode_with_name(text: str) -> bool:
    for match in _POSTCODE.finditer(text):
        nearby = text[max(0, match.start() - 80): match.end() + 40]
        if _NAMED.search(nearby) or _ADDRESS_CUE.search(nearby):
            return True
    return False


# -- personal contact details ---------------------------------------------------------------------

_PERSONAL_MAIL = re.compile(
    r"\b[A-Z0-9._%+-]+@(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|ymail|icloud|me|mac|aol|btinternet|"
    r"sky|talktalk|virginmedia|blueyonder|protonmail|proton|gmx|mail|tutanota)\.[A-Z.]{2,8}\b", re.I)
_PHONE = re.compile(r"(?<![\d/.])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:7\d{3}\)?\s?\d{3}\s?\d{3}|[12]\d{1,4}\)?\s?\d{3,4}\s?\d{3,4})(?![\d/])")

# -- named blame ------------------------------------------------------------------------------------

_NOT_PEOPLE = {"Rule", "Summit", "Team", "Trust", "Hospital", "Ward", "Unit", "Board", "Service", "Services", "Programme",
               "Collaborative", "Network", "Health", "Care", "Safety", "Patient", "Patients", "Department", "Practice",
               "Home", "Centre", "Group", "Committee", "Council", "Partners", "Foundation", "Innovation", "Review",
               "Checklist", "Bundle", "Score", "Policy", "System", "Project", "England", "NHS", "ICB", "The"}
_BLAME = (r"(?:caused|causing|was\s+responsible\s+for|is\s+responsible\s+for|(?:is|was)\s+to\s+blame|"
          r"(?:is|was)\s+at\s+fault|failed\s+to|forgot\s+to|neglected|was\s+negligent|made\s+(?:a|the)\s+(?:mistake|error)|"
          r"killed|harmed|should\s+be\s+(?:disciplined|sacked|dismissed))")
_BLAMED_TITLED = re.compile(rf"{_PERSON}\s+(?:\w+\s+){{0,2}}{_BLAME}")
_BLAMED_NAME = re.compile(rf"\b([A-Z][a-z'\-]+)\s+([A-Z][a-z'\-]+)\s+(?:\w+\s+){{0,2}}{_BLAME}")
_FAULT_OF = re.compile(rf"\b(?:fault|error|mistake|negligence|blame)\s+(?:of|by)\s+{_PERSON}|{_PERSON}'s\s+(?:fault|error|mistake|negligence)")


def _named_blame(text: str) -> bool:
    if _BLAMED_TITLED.search(text) or _FAULT_OF.search(text):
        return True
    return any(first not in _NOT_PEOPLE and last not in _NOT_PEOPLE for first, last in _BLAMED_NAME.findall(text))


def findings(text: str, *, contact_field: bool = False) -> list[str]:
    """The kinds of forbidden content in `text`, in a stable order. A consented contact's own
    fields (its name, e-mail, phone) may hold personal contact details and names."""
    plain = normalise(text)
    found = []
    if _nhs_number(plain):
        found.append("NHS_NUMBER")
    if _DOB.search(plain):
        found.append("DATE_OF_BIRTH")
    if _RECORD.search(plain):
        found.append("RECORD_NUMBER")
    if _postcode_with_name(plain):
        found.append("POSTCODE_WITH_NAME")
    if not contact_field and (_PERSONAL_MAIL.search(plain) or _PHONE.search(plain)):
        found.append("PERSONAL_CONTACT")
    if not contact_field and _named_blame(plain):
        found.append("NAMED_BLAME")
    return found


def contains_nhs_number(text: str) -> bool:
    return _nhs_number(normalise(text))
