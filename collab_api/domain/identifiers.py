"""No patient data and no blame: spotting, in free text, what the platform must never hold.

Written as patterns rather than with Presidio, whose recognisers need spaCy language models
downloaded at run time. Each finding names a kind, never the text found:

- NHS_NUMBER: ten digits passing the modulus-11 check, however they are grouped and whatever
  separates the groups (spaces, tabs, dashes, dots, commas, slashes, brackets, no-break and
  invisible characters, full-width digits);
- DATE_OF_BIRTH: a date next to "DOB", "date of birth", "born" ("12-Mar-1950", "12th of March 1950");
- RECORD_NUMBER: a hospital, medical record or patient number ("MRN", "hospital number" ...);
- POSTCODE_WITH_NAME: a UK postcode near a person's name (with a title, or a first and last name
  before a street address) or an address cue;
- PERSONAL_CONTACT: a personal e-mail address (consumer mail services) or a UK phone number,
  outside the consented contact fields;
- NAMED_BLAME: a named individual presented as culpable ("Nurse Jane Smith caused ...", "Dr J
  Smith caused", "nurse smith caused", "Jane Smith (Band 5) failed to escalate", "because of
  Staff Nurse Mary O'Brien's negligence"), names with initials, accents and apostrophes.
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

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f"), None)
_SPACES = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a\u3000]")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212\uff0d]")


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, invisible characters out, every space a space,
    every dash a hyphen."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _DASHES.sub("-", _SPACES.sub(" ", text))


# -- NHS numbers -----------------------------------------------------------------------------

# Groups of digits with at most three separating characters between them (anything but a letter,
# a digit or a line break); an NHS number is any run of whole groups holding exactly ten digits.
_DIGIT_RUN = re.compile(r"\d+(?:(?:[^\w\n]|_){1,3}\d+)*")
_GROUP = re.compile(r"\d+")


def nhs_number_is_valid(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _nhs_number(text: str) -> bool:
    for run in _DIGIT_RUN.finditer(text):
        if run.start() > 0 and text[run.start() - 1] in "._" and run.start() > 1 and text[run.start() - 2].isdigit():
            continue  # a decimal's tail
        groups = _GROUP.findall(run.group())
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:first + 4]:  # written in at most four groups (3-3-4 as printed, or 2-2-3-3)
                digits += group
                if len(digits) >= 10:
                    break
            if len(digits) == 10 and nhs_number_is_valid(digits):
                return True
    return False


# -- dates of birth, record numbers --------------------------------------------------------------

_MONTHS = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = (rf"(?:\d{{1,2}}[/.\- ]\d{{1,2}}[/.\- ]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?[\s/.\-]+{_MONTHS}\.?,?[\s/.\-]+\d{{2,4}}|"
         rf"{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})")
_DOB = re.compile(rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?(?:\s+the)?|birth\s*date)\s*[:\-]?\s*{_DATE}", re.I)
_RECORD = re.compile(
    r"\b(?:mrn|hospital\s+(?:number|no\.?|num)|hosp\.?\s*no\.?|patient\s+(?:id|number|no\.?)|"
    r"(?:medical|health|case)\s+record\s+(?:number|no\.?)|unit\s+number|case\s+number|chi\s+number)\s*[:#=]?\s*"
    r"(?=[A-Z0-9 -]{0,6}\d[A-Z0-9 -]*\d[A-Z0-9 -]*\d)[A-Z0-9](?:[A-Z0-9-]| (?=[A-Z0-9])){4,15}\b", re.I)

# -- postcodes next to a name ----------------------------------------------------------------------

_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}\b", re.I)
_TITLES = (r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Nurse|Sister|Matron|Midwife|Staff\s+[Nn]urse|Charge\s+[Nn]urse|Porter|Paramedic|"
           r"Consultant|Registrar|Pharmacist|HCA)")
# A name: a capital, then letters (an apostrophe or hyphen inside, a capital after Mc or O': O'Brien,
# McDonald, García), or an initial.
_NAME = r"[A-ZÀ-ÖØ-Þ](?:\.|(?:[a-zß-öø-ÿ]|['’\-](?=[A-Za-zÀ-ÖØ-öø-ÿ]{2})|[A-ZÀ-ÖØ-Þ](?=[a-zß-öø-ÿ]))+)?"
_PERSON = rf"\b{_TITLES}\.?\s+{_NAME}(?:\s+{_NAME}){{0,2}}"
_ADDRESS_CUE = re.compile(r"\b(?:lives?|living|resides?|residing|home\s+address|address(?:ed)?)\b", re.I)
_NAMED = re.compile(_PERSON)
_STREET = re.compile(r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Way|"
                     r"Crescent|Grove|Place|Gardens|Terrace|Court|Walk|Row|Hill|Mews|Park|View|Rise)\b")
_NAME_PAIR = re.compile(rf"\b({_NAME})\s+({_NAME})\b")


def _postcode_with_name(text: str) -> bool:
    for match in _POSTCODE.finditer(text):
        nearby = text[max(0, match.start() - 80): match.end() + 40]
        if _NAMED.search(nearby) or _ADDRESS_CUE.search(nearby):
            return True
        for street in _STREET.finditer(nearby):  # "John Smith, 12 Acacia Avenue, Leeds LS1 4AB"
            before = nearby[max(0, street.start() - 40): street.start()]
            if any(_is_person(first, last) for first, last in _NAME_PAIR.findall(before)):
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
               "Checklist", "Bundle", "Score", "Policy", "System", "Project", "England", "NHS", "ICB", "The", "Infirmary",
               "Surgery", "Clinic", "Medical", "General", "University", "Royal", "Street", "Road", "House", "Court", "Lane",
               "Avenue", "This", "That", "Our", "Their", "Each", "Every", "Staff", "Night", "Day", "Weekend", "Agency",
               "Bank", "Our", "New", "Old", "North", "South", "East", "West", "Great"}
# Words that follow a lower-case title without being a name ("the nurse in charge", "nurse staffing").
_NOT_NAMES = {"in", "on", "at", "of", "the", "a", "an", "and", "or", "who", "that", "was", "were", "had", "has", "did", "is",
              "not", "staffing", "shortage", "shortages", "levels", "level", "workload", "rota", "rotas", "station", "team",
              "teams", "handover", "call", "calls", "led", "practitioner", "practitioners", "associate", "associates",
              "colleagues", "duty", "shift", "shifts", "numbers", "vacancies", "vacancy", "cover", "bank", "agency",
              "student", "students", "specialist", "specialists", "prescriber", "prescribers", "review", "reviews",
              "training", "time", "capacity", "escalation", "observations", "assessment", "assessments", "ratio", "ratios"}
_BLAME = (r"(?:caused|causing|was\s+responsible\s+for|is\s+responsible\s+for|(?:is|was)\s+to\s+blame|"
          r"(?:is|was)\s+at\s+fault|failed\s+to|forgot\s+to|neglected|was\s+negligent|made\s+(?:a|the)\s+(?:mistake|error)|"
          r"killed|harmed|should\s+be\s+(?:disciplined|sacked|dismissed))")
_BETWEEN = r"(?:\s*,\s*|\s+)(?:[\w()'’.-]+,?\s+){0,4}"  # "Jane Smith (Band 5) failed", "Dr Lee, the registrar, caused"
_BLAMED_TITLED = re.compile(rf"{_PERSON}{_BETWEEN}{_BLAME}")
_LOWER_TITLED = re.compile(rf"\b{_TITLES}\.?\s+([a-zß-öø-ÿ][a-zß-öø-ÿ'’\-]+){_BETWEEN}{_BLAME}", re.I)
_BLAMED_NAME = re.compile(rf"\b({_NAME})\s+({_NAME}){_BETWEEN}{_BLAME}")
_FAULT_OF = re.compile(rf"\b(?:fault|error|mistake|negligence|blame)\s+(?:of|by)\s+{_PERSON}|{_PERSON}['’]s?\s+(?:fault|error|mistake|negligence)"
                       rf"|\b(?:because\s+of|due\s+to|owing\s+to)\s+({_NAME})\s+({_NAME})['’]s?\s+(?:fault|error|mistake|negligence)")


def _is_person(first: str, last: str) -> bool:
    return first.rstrip(".") not in _NOT_PEOPLE and last.rstrip(".") not in _NOT_PEOPLE


def _named_blame(text: str) -> bool:
    if _BLAMED_TITLED.search(text):
        return True
    for match in _FAULT_OF.finditer(text):
        if match.group(1) is None or _is_person(match.group(1), match.group(2)):
            return True
    if any(name.lower() not in _NOT_NAMES for name in _LOWER_TITLED.findall(text)):
        return True
    return any(_is_person(first, last) for first, last in _BLAMED_NAME.findall(text))


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
