"""What a quarterly return says it is: the reporting quarters and the collaboratives named in its
file name and in its own words (the Intro sheet, the sheets' titles), so that a workbook renamed
or sent under the wrong arguments is noticed rather than imported as something else."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from collab_api.domain.quarters import Quarter, QuarterError

# "2025/26 Q3", "2025-26 Q3", "2025_26 Q3", "QART 2526 Q3" (the national team's names), "Q3 2025/26".
_LONG = re.compile(r"(?<!\d)(20\d{2})\s*[-_/ ]\s*(\d{2})\s*[-_ ]?\s*Q([1-4])(?![0-9])", re.IGNORECASE)
_QART = re.compile(r"QART[\s_-]*(\d{2})(\d{2})[\s_-]*Q([1-4])(?![0-9])", re.IGNORECASE)
_BARE = re.compile(r"(?<![A-Za-z0-9])Q([1-4])(?![0-9A-Za-z])", re.IGNORECASE)
_Q_FIRST = re.compile(r"(?<![A-Za-z0-9])Q([1-4])\s*[-_ ,]?\s*(20\d{2})\s*[-_/ ]\s*(\d{2})(?!\d)", re.IGNORECASE)


def quarters_in(text: str) -> list[str]:
    """Every reporting quarter the text names, in order of first mention, each once."""
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, order in ((_QART, (0, 1, 2, 3)), (_LONG, (-1, 1, 2, 3)), (_Q_FIRST, (-1, 2, 3, 1))):
        for match in pattern.finditer(text):
            century, first, second, number = order
            start = "20" if century == 0 else ""
            found.append((match.start(), f"{start}{match[first]}/{match[second]} Q{match[number]}"))
            spans.append(match.span())
    # A bare "Q3" after a full quarter ("QART 2627 Q2 returned (resubmitted Q3)") is in that quarter's year.
    for match in _BARE.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        before = [(start, label) for start, label in sorted(found) if start < match.start() and label[:7].count("/") == 1]
        if before:
            found.append((match.start(), f"{before[-1][1][:7]} Q{match[1]}"))
    labels: list[str] = []
    for _, label in sorted(found):
        try:
            label = Quarter.parse(label).label
        except QuarterError:
            pass  # kept as written ('2026/28 Q2'): whoever uses it says why it is not a quarter
        if label not in labels:
            labels.append(label)
    return labels


@dataclass(frozen=True)
class CollaborativeNames:
    code: str
    names: tuple[str, ...]  # its name and former names


def collaboratives_in(text: str, known: Sequence[CollaborativeNames]) -> list[str]:
    """The codes of the collaboratives the text names: by name or former name (longest first, so
    'Health Innovation East Midlands' is not read as 'Health Innovation East'), or by code after
    'Collaborative:' or in a sheet title ('MR - Adult & Paeds: KSS, 2025/26 Q3')."""
    remaining = text
    found: list[tuple[int, str]] = []
    by_length = sorted(((name, c.code) for c in known for name in c.names if name), key=lambda pair: -len(pair[0]))
    for name, code in by_length:
        pattern = re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", re.IGNORECASE)
        for match in pattern.finditer(remaining):
            found.append((match.start(), code))
        remaining = pattern.sub(lambda m: " " * len(m.group()), remaining)
    codes = {c.code for c in known}
    for match in re.finditer(r"(?:collaborative\s*[:=-]\s*|:\s+)([A-Z]{2,6})\b(?=[,.;\s]|$)", remaining, re.IGNORECASE):
        if match[1].upper() in codes and match[1].isupper():
            found.append((match.start(1), match[1].upper()))
    ordered: list[str] = []
    for _, code in sorted(found):
        if code not in ordered:
            ordered.append(code)
    return ordered


@dataclass(frozen=True)
class Conflict:
    what: str  # "quarter" or "collaborative"
    message: str


def choose(what: str, given: str | None, stated: Iterable[tuple[str, list[str]]]) -> tuple[str | None, list[Conflict]]:
    """The value to use and the disagreements: `given` (the arguments') wins when there is one;
    otherwise the one value every source that names exactly one agrees on. `stated`: (where,
    the values it names) for the file name and the workbook."""
    conflicts: list[Conflict] = []
    single: list[tuple[str, str]] = []
    for where, values in stated:
        if len(values) > 1:
            if given is None:
                conflicts.append(Conflict(what, f"{where} names {len(values)} {what}s ({' and '.join(values)}): "
                                                f"say which {what} this return is for"))
            continue
        if values:
            single.append((where, values[0]))
    chosen = given or (single[0][1] if single else None)
    said = "the arguments" if given else (single[0][0] if single else "")
    for where, value in single:
        if chosen is not None and value != chosen:
            conflicts.append(Conflict(what, f"{where} says {value} but {said} say{'s' if said != 'the arguments' else ''} "
                                            f"{chosen}: check which is right, then import it with that {what} given "
                                            "and the disagreement confirmed"))
    return chosen, conflicts
