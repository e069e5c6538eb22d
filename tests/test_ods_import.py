"""`collab ods import`: real organisations from the national ODS files, merger included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from collab_api.db.graph import Graph
from collab_api.graph.seed import snapshot
from collab_api.usecases.ods_import import OdsImportRefused, import_ods
from ods_files import essex_files, ods_row, write

pytestmark = pytest.mark.usefixtures("network")


async def test_a_merger_is_loaded_as_ods_has_it(graph: Graph, tmp_path: Path) -> None:
    folder = essex_files(tmp_path / "ods")
    summary = (await import_ods(graph, folder)).as_dict()
    assert summary["organisations"] == {"etr.csv": 3, "ets.csv": 4, "epraccur.csv": 1}
    assert summary["notFound"] == ["ecarehomesite.csv"]
    assert summary["successions"] == {"linked": 2, "skipped": 1}
    assert summary["skipped"] == []

    sites = await graph.read("""
        MATCH (t:Organisation)-[:HAS_SITE]->(s:Organisation) WHERE s.odsCode IN ['RDDH0', 'RQ8L0', 'RAJ01', 'RAJ12']
        OPTIONAL MATCH (s)-[:IN_ICB]->(i:ICB)
        RETURN s.odsCode AS site, t.odsCode AS trust, s.name AS name, s.postcode AS postcode, s.status AS status,
               toString(s.closedOn) AS closed, i.name AS icb ORDER BY site""")
    assert sites == [
        {"site": "RAJ01", "trust": "RAJ", "name": "SOUTHEND UNIVERSITY HOSPITAL", "postcode": "SS0 0RY", "status": "ACTIVE",
         "closed": None, "icb": "NHS Mid and South Essex ICB"},
        {"site": "RAJ12", "trust": "RAJ", "name": "ORSETT HOSPITAL", "postcode": "RM16 3EU", "status": "CLOSED",
         "closed": "2025-03-31", "icb": "NHS Mid and South Essex ICB"},
        {"site": "RDDH0", "trust": "RAJ", "name": "BASILDON UNIVERSITY HOSPITAL", "postcode": "SS16 5NL", "status": "ACTIVE",
         "closed": None, "icb": "NHS Mid and South Essex ICB"},
        {"site": "RQ8L0", "trust": "RAJ", "name": "BROOMFIELD HOSPITAL", "postcode": "CM1 7ET", "status": "ACTIVE",
         "closed": None, "icb": "NHS Mid and South Essex ICB"},
    ]
    merged = await graph.read("""
        MATCH (p:Organisation)-[m:SUCCEEDED_BY]->(s:Organisation {odsCode: 'RAJ'})
        RETURN p.odsCode AS predecessor, p.status AS status, toString(m.date) AS date ORDER BY predecessor""")
    assert merged == [{"predecessor": "RDD", "status": "CLOSED", "date": "2020-04-01"},
                      {"predecessor": "RQ8", "status": "CLOSED", "date": "2020-04-01"}]
    practice = await graph.read("""
        MATCH (o:Organisation {odsCode: 'F81001'})-[:IN_ICB]->(i:ICB)<-[:COVERS]-(c:Collaborative)
        RETURN o.kind AS kind, o.careSettings AS settings, i.name AS icb, c.code AS collaborative, toString(o.openedOn) AS opened""")
    assert practice == [{"kind": "GP_PRACTICE", "settings": ["PRIMARY_CARE"], "icb": "NHS Mid and South Essex ICB",
                         "collaborative": "UCLP", "opened": "1999-04-01"}]
    assert await graph.read("MATCH (o:Organisation {odsCode: 'F81999'}) RETURN o") == []

    before = await snapshot(graph)
    await import_ods(graph, folder)
    assert await snapshot(graph) == before, "loading the same files again changes nothing"


async def test_a_site_that_changes_trust_moves_and_bad_rows_are_reported(graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "moved"
    write(folder, "etr.csv", [ods_row("RAJ", "MID AND SOUTH ESSEX NHS FOUNDATION TRUST", icb="QH8"),
                              ods_row("RF4", "BARKING, HAVERING AND REDBRIDGE UNIVERSITY HOSPITALS NHS TRUST", icb="QMF"),
                              ods_row("not a code!", "NOBODY"), ["RZZ", "TOO SHORT"],
                              ods_row("RZY", "BAD DATE TRUST", opened="1 April 1999")])
    write(folder, "ets.csv", [ods_row("RAJ12", "ORSETT HOSPITAL", icb="QMF", extra={15: "RF4"})])
    summary = (await import_ods(graph, folder)).as_dict()
    assert [(s["line"], s["reason"][:30]) for s in summary["skipped"]] == [
        (3, "'NOT A CODE!' is not an ODS co"), (4, "2 columns; an ODS row has at l"), (5, "RZY: open or close date is not")]
    rows = await graph.read("""
        MATCH (t:Organisation)-[:HAS_SITE]->(s:Organisation {odsCode: 'RAJ12'}), (s)-[:IN_ICB]->(i:ICB)
        RETURN t.odsCode AS trust, i.name AS icb""")
    assert rows == [{"trust": "RF4", "icb": "NHS North East London ICB"}]


async def test_refusals(graph: Graph, tmp_path: Path) -> None:
    with pytest.raises(OdsImportRefused, match="is not a directory"):
        await import_ods(graph, tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(OdsImportRefused, match="none of the ODS files"):
        await import_ods(graph, tmp_path / "empty")


def test_cli_ods_import(tmp_path: Path, test_server, graph: Graph) -> None:
    folder = essex_files(tmp_path / "ods")
    env = {"NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0], "NEO4J_PASSWORD": test_server.auth[1],
           "NEO4J_DATABASE": graph.database, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([str(Path(sys.executable).with_name("collab")), "ods", "import", str(folder), "--json"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["organisations"]["ets.csv"] == 4
