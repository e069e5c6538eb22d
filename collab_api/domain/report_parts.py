"""A quarterly report kept in parts (graph/lineage_resolved.py `REPORTS`), so that its page reads
its counts and the page of each list it shows, not the quarter's cells: on the national
programme's busiest quarter the report is 1.2 MB of JSON, its per-site table of answers 1.1 MB of
it, and a page shows 50 sites of each list.

The parts: `summary` (everything but the lists of sites, with each list's length) and each list in
chunks of CHUNK sites (`answers.0`, `answers.1`, ...). Each part is stamped with what it was worked
out from: the intervention's tally version, the quarter and stage threshold asked, the
collaboratives and the component names (a rename shows at once).

The spread report's lists of sites (its sites on the map among them) are kept the same way, as one
part for the quarter, comparison and filters asked (`lists_part_name`): 0.4 MB on that quarter,
worked out from the cells in about 60 ms and read back in about 4.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from collab_api.domain.quarterly_report import LISTS

CHUNK = 50
FORM = 1  # the form of the parts; parts kept in another form are worked out again
# Parts are kept in a bounded number of slots per intervention and kind, not one per question:
# anyone may ask for any quarter, phase or threshold, and each would otherwise leave a part behind
# for good. What was asked is in the stamp, so a part kept for another question in the same slot
# is never taken (two questions asked often that share a slot take turns being worked out).
SLOTS = 256


def stamp_of(version: str | None, *given: Any) -> str:
    """What a part was worked out from: the intervention's tally version and the rest `given`
    (JSON values: for a quarterly report the collaboratives and the component names)."""
    return hashlib.sha256(json.dumps([FORM, version, *given], sort_keys=True).encode()).hexdigest()[:32]


def _slot(*asked: Any) -> int:
    return int(hashlib.sha256(json.dumps(asked).encode()).hexdigest()[:8], 16) % SLOTS


def part_name(quarter_index: int, at_or_below: int, part: str) -> str:
    """A quarterly report's part, in the slot of its quarter and threshold."""
    return f"quarterly.{_slot(quarter_index, at_or_below)}.{part}"


def lists_part_name(*asked: Any) -> str:
    """The part holding the spread report's lists of sites, in the slot of what was `asked`
    (quarters, filters, thresholds: JSON values)."""
    return f"spread.{_slot(*asked)}"


def in_parts(report: dict[str, Any]) -> dict[str, str]:
    """The report as its parts' texts, by part (summary, then each list's chunks)."""
    summary = {key: value for key, value in report.items() if key not in LISTS}
    summary["listLengths"] = {name: len(report[name]) for name in LISTS}
    parts = {"summary": json.dumps(summary)}
    for name in LISTS:
        rows = report[name]
        for number, start in enumerate(range(0, len(rows), CHUNK)):
            parts[f"{name}.{number}"] = json.dumps(rows[start:start + CHUNK])
    return parts


def chunks_for(length: int, first: int, offset: int) -> list[int]:
    """The chunks holding the rows offset .. offset + first - 1 of a list of `length` rows."""
    end = min(length, offset + first)
    return list(range(offset // CHUNK, (end - 1) // CHUNK + 1)) if end > offset else []


def page_from_chunks(chunks: dict[int, list[Any]], first: int, offset: int) -> list[Any]:
    """Rows offset .. offset + first - 1, from the chunks `chunks_for` named."""
    if not chunks:
        return []
    start = min(chunks) * CHUNK
    rows = [row for number in sorted(chunks) for row in chunks[number]]
    return rows[offset - start:offset - start + first]
