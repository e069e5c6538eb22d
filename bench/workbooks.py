"""15 returned QART workbooks (one per collaborative, 24 sites each) and their import: shared
by `python -m bench` and `python -m bench.national`."""

from __future__ import annotations

import io
import random
import statistics
import time

from openpyxl import Workbook

from collab_api.db.graph import Graph
from collab_api.domain.permissions import SYSTEM
from collab_api.domain.stages import STAGES
from collab_api.progress import Steps
from collab_api.qart.layout import ADULT_PAEDS, SHEETS
from collab_api.usecases.qart_import import import_return
from graph_seed import demo, reference

SITES = 24
QUARTER = "2025/26 Q2"


def workbook(trust: str, rng: random.Random) -> bytes:
    values = [s.label for s in STAGES] + ["No paediatric patients", None]
    book = Workbook()
    book.active.title = "Intro"
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        for offset in range(SITES):
            row = 7 + offset
            ws[f"B{row}"], ws[f"C{row}"] = trust, f"Trust {trust}"
            ws[f"D{row}"], ws[f"E{row}"] = f"{trust}{offset + 1:02d}", f"Site {offset + 1}"
            if sheet is ADULT_PAEDS:
                ws[f"F{row}"] = rng.choice([1, 2])
            for column in sheet.stage_columns:
                ws[f"{column.column}{row}"] = rng.choice(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def books() -> dict[str, bytes]:
    """A workbook per collaborative, for one of its acute trusts in the demo network."""
    rng = random.Random(2025)
    trusts: dict[str, str] = {}
    for organisation in demo.organisations():
        if organisation["kind"] == "TRUST" and "ACUTE" in organisation["careSettings"]:
            region = next(c["code"] for c in reference.collaboratives() if organisation["icb"] in c["icbs"])
            trusts.setdefault(region, organisation["odsCode"])
    return {code: workbook(trust, rng) for code, trust in sorted(trusts.items())}


async def import_fifteen(graph: Graph) -> list[tuple[str, float, float, float, int, int]]:
    """Import every workbook, then again (unchanged): per pass its label, total, median and
    longest seconds, cells accepted and observations created."""
    passes = []
    data = books()
    for label in ("first import", "re-import (unchanged)"):
        times = []
        cells = created = 0
        for code, book in data.items():
            started = time.perf_counter()
            summary = await import_return(graph, book, actor=SYSTEM, quarter=QUARTER, collaborative=code,
                                          progress=Steps(terminal=False))
            times.append(time.perf_counter() - started)
            cells += summary.cells_accepted
            created += summary.observations["CREATED"]
        passes.append((label, sum(times), statistics.median(times), max(times), cells, created))
    return passes
