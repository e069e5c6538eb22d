"""An uploaded workbook cannot stall or bloat the server, and no row or cell is dropped without a
word: archives that unpack to too much are refused before any XML is read, the parse runs in a
child process under memory and time ceilings, every row below the template's 24 is read (or
the file refused whole), a formula never calculated is rejected by cell, and damaged or
hostile XML is refused with a reason, never INTERNAL."""

from __future__ import annotations

import io
import json
import resource
import zipfile
from typing import Any

import httpx
import pytest

from collab_api.qart import isolated
from collab_api.qart.isolated import WorkbookLimits, read_isolated_sync
from collab_api.qart.layout import ADULT_PAEDS
from collab_api.qart.layout import MAX_SITE_ROWS
from collab_api.qart.reader import WorkbookError, WorkbookTooLarge, read_return
from tests.qart_workbooks import site_row, workbook_bytes

G, H = "G", "H"
QUERY = """mutation($file: Upload!) { importQuarterlyReturn(file: $file, quarter: "2025/26 Q1", dryRun: true) {
    errors { field code message } summary { rows { read } cells { read rejected } } } }"""


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    """The same workbook with one part replaced (or added), deflated as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def _plain() -> bytes:
    return workbook_bytes({ADULT_PAEDS.name: [site_row("Z06", "Z0601", {G: "Stage 3 - Decision"}, phase=1)]})


def million_formats() -> bytes:
    """A couple of hundred kB on the wire: styles that declare a million cell formats."""
    formats = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 1_000_000
    styles = (b'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<cellXfs count="1000000">' + formats + b"</cellXfs></styleSheet>")
    return _replace_part(_plain(), "xl/styles.xml", styles)


def huge_shared_string() -> bytes:
    text = b"A" * (300 * 1024 * 1024)
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               b'count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>")
    return _replace_part(_plain(), "xl/sharedStrings.xml", strings)


def xxe() -> bytes:
    sheet = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="7"><c r="D7" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>')
    data = _plain()
    names = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/worksheets/sheet")]
    for name in names:
        data = _replace_part(data, name, sheet)
    return data


@pytest.mark.parametrize(("build", "words"), [
    (million_formats, "its list of styles unpacks to"), (huge_shared_string, "the text of its cells unpacks to")])
def test_a_bomb_is_refused_before_any_xml_is_parsed(build: Any, words: str) -> None:
    data = build()
    assert len(data) < 2 * 1024 * 1024, "small on the wire"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(WorkbookTooLarge, match=words):
        read_isolated_sync(data)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 50 * 1024, "the server's memory did not grow"


def test_the_archive_in_all_is_limited() -> None:
    limits = WorkbookLimits(unpacked_bytes=4096)
    with pytest.raises(WorkbookTooLarge, match="the workbook unpacks to"):
        read_isolated_sync(_plain(), limits)


def _many_strings() -> bytes:
    """About 6 MB of distinct shared strings: within the archive's limits, but its parse must allocate."""
    items = b"".join(b"<si><t>site name %07d</t></si>" % n for n in range(200_000))
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               b'count="200000" uniqueCount="200000">' + items + b"</sst>")
    return _replace_part(_plain(), "xl/sharedStrings.xml", strings)


def test_a_parse_over_its_memory_ceiling_is_refused_and_the_child_ends() -> None:
    """The child's address space is capped: a parse that needs more than its ceiling is refused;
    under the normal ceiling the same workbook reads. The ceiling here is below what the child's
    interpreter already holds (whatever that is on a machine), so the parse cannot allocate at all."""
    data = _many_strings()
    assert read_isolated_sync(data).rows_read == 1
    with pytest.raises(WorkbookTooLarge, match="needs more memory"):
        read_isolated_sync(data, WorkbookLimits(memory_bytes=1024 * 1024))


def test_each_upload_is_read_by_a_child_of_its_own_started_ahead_of_it() -> None:
    """The child for the next upload waits, loaded, for it; it reads that one upload and ends. One
    killed while it waited is replaced; other limits get a child of their own."""
    data = _plain()
    assert read_isolated_sync(data).rows_read == 1
    waiting = isolated._SPARE._child
    assert waiting is not None and waiting.poll() is None, "a child waits for the next upload"
    assert read_isolated_sync(data).rows_read == 1
    assert waiting.wait(timeout=5) == 0, "it read that upload and ended"
    next_one = isolated._SPARE._child
    assert next_one is not None and next_one is not waiting and next_one.poll() is None
    next_one.kill()
    next_one.wait()
    assert read_isolated_sync(data).rows_read == 1, "a spare that ended while it waited is replaced"
    other = WorkbookLimits(seconds=9)
    before = isolated._SPARE._child
    assert read_isolated_sync(data, other).rows_read == 1
    assert before is not None and before.poll() is not None, "the spare for the other limits is stopped, not kept"
    tight = WorkbookLimits(memory_bytes=1024 * 1024)
    for _ in range(2):  # the second is read by a child that waited: it holds its ceilings too
        with pytest.raises(WorkbookTooLarge, match="needs more memory"):
            read_isolated_sync(_many_strings(), tight)


@pytest.mark.parametrize(("data", "words"), [
    (b"nope", "not a readable Excel workbook"),
    (_plain()[: len(_plain()) // 2], "not a readable Excel workbook"),
])
def test_damaged_files_are_refused_with_a_reason(data: bytes, words: str) -> None:
    with pytest.raises(WorkbookError, match=words):
        read_isolated_sync(data)


def test_an_external_entity_is_refused_not_followed() -> None:
    with pytest.raises(WorkbookError, match="not a readable Excel workbook") as refused:
        read_isolated_sync(xxe())
    assert "root:" not in str(refused.value)


def test_rows_below_the_template_are_read() -> None:
    rows = [site_row("Z06", f"Z{6000 + n}", {G: "Stage 2 - Awareness"}, phase=1) for n in range(40)]
    parsed = read_return(workbook_bytes({ADULT_PAEDS.name: rows}))
    assert parsed.rows_read == 40 and [r.row for r in parsed.rows][-1] == 46


def test_a_sheet_longer_than_the_limit_is_refused_whole_never_read_in_part() -> None:
    rows: list[Any] = [None] * MAX_SITE_ROWS + [site_row("Z06", "Z0601", {G: "Stage 2 - Awareness"}, phase=1)]
    with pytest.raises(WorkbookTooLarge, match=f"rows below row {7 + MAX_SITE_ROWS - 1}"):
        read_return(workbook_bytes({ADULT_PAEDS.name: rows}))


def test_a_forged_dimension_does_not_hide_rows() -> None:
    data = workbook_bytes({ADULT_PAEDS.name: [site_row("Z06", f"Z{6000 + n}", {G: "Stage 2 - Awareness"}) for n in range(10)]})
    source = zipfile.ZipFile(io.BytesIO(data))
    for name in source.namelist():
        if name.startswith("xl/worksheets/"):
            text = source.read(name).decode()
            if "<dimension" in text:
                start = text.index("<dimension")
                data = _replace_part(data, name, (text[:start] + '<dimension ref="A1:A1"/>' +
                                                  text[text.index("/>", start) + 2:]).encode())
    assert read_return(data).rows_read == 10


def test_a_formula_with_no_saved_value_is_rejected_by_cell() -> None:
    data = workbook_bytes({ADULT_PAEDS.name: [site_row("Z06", "Z0601", {G: '=IF(1,"Stage 3 - Decision","")', H: "Stage 2 - Awareness"},
                                                       phase=1)]})
    parsed = read_return(data)  # openpyxl writes the formula without a saved value, as a script would
    [rejection] = [r for r in parsed.rejections if r.cell == "G7"]
    assert "formula with no saved value" in rejection.reason
    assert [e.cell for e in parsed.rows[0].entries] == ["H7"]


async def _upload(client: httpx.AsyncClient, token: str, data: bytes) -> dict[str, Any]:
    response = await client.post("/graphql", data={
        "operations": json.dumps({"query": QUERY, "variables": {"file": None}}), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("return.xlsx", data, "application/octet-stream")}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.usefixtures("network")
async def test_through_the_api_and_the_page_a_bomb_is_a_coded_refusal(client: httpx.AsyncClient, tokens: Any, settings: Any,
                                                                       graph: Any) -> None:
    body = await _upload(client, tokens("NATIONAL"), million_formats())
    [error] = body["data"]["importQuarterlyReturn"]["errors"]
    assert (error["field"], error["code"]) == ("file", "TOO_LARGE") and "list of styles" in error["message"]
    body = await _upload(client, tokens("NATIONAL"), xxe())
    assert body["data"]["importQuarterlyReturn"]["errors"][0]["code"] == "UNREADABLE"
    fine = await _upload(client, tokens("NATIONAL"), _plain())
    assert fine["data"]["importQuarterlyReturn"]["errors"] == []

    from collab_api.app import create_app
    from tests.web import PageClient, error_beside

    async with PageClient(create_app(settings, graph=graph)) as pages:
        await pages.sign_in("NATIONAL")
        await pages.get("/returns")
        response = await pages.post("/returns/check", {"collaborative": "", "quarter": "2025/26 Q1"},
                                    files={"file": ("return.xlsx", million_formats(), "application/octet-stream")})
        assert response.status_code == 422
        assert "its list of styles unpacks to" in (error_beside(response, "file") or "")

