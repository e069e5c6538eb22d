"""The pages over HTTP (ASGI), as each kind of person uses them, against the seeded demo
network: reading, searching, recording, publishing, returns, refusals and round trips.
(The same journeys in a real browser, with axe-core, are in test_browser.py.)"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.qart.layout import ADULT_PAEDS
from tests.qart_workbooks import site_row, workbook_bytes
from tests.web import PageClient, error_beside, text_of


@pytest.fixture(scope="module")
def app(settings: Settings, seeded: Graph) -> Any:
    return create_app(settings, graph=seeded)


async def _count(graph: Graph, query: str, **params: Any) -> int:
    return int((await graph.read(query, params))[0]["n"])


PUBLIC_PAGES = [
    "/", "/search?q=falls", "/search?careSetting=CARE_HOME&sort=SPREAD", "/interventions/marthas-rule",
    "/interventions/marthas-rule/lineage", "/interventions/marthas-rule/spread", "/interventions/marthas-rule/quarterly-report",
    "/collaboratives", "/collaboratives/KSS",
    "/organisations/Z43", "/national", "/about", "/accessibility",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_every_public_page_answers_for_an_anonymous_visitor(app: Any, path: str) -> None:
    async with PageClient(app) as browser:
        response = await browser.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.text.count("<h1") == 1
    assert 'href="#maincontent"' in response.text  # the skip link
    assert "Traceback" not in response.text


async def test_anonymous_visitors_see_what_anonymous_api_callers_see(app: Any) -> None:
    async with PageClient(app) as browser:
        page = text_of(await browser.get("/interventions/falls-care-homes"))
        assert "Sign in to see which organisations adopted it" in page
        assert "mailto:" not in browser.last.text  # type: ignore[union-attr]
        draft = await browser.get("/interventions/delirium-4at")  # a draft (IDEA) of ICHP
        assert draft.status_code == 404
        assert (await browser.get("/interventions/marthas-rule/spread/sitesAtOrBelow.csv")).status_code == 403
        assert (await browser.get("/national/audit")).status_code == 403
        returns = await browser.get("/returns")
        assert returns.status_code == 303 and returns.headers["location"].startswith("/sign-in")


async def test_a_draft_is_seen_by_its_own_lead_only(app: Any) -> None:
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="ICHP")
        assert (await lead.get("/interventions/delirium-4at")).status_code == 200
    async with PageClient(app) as other:
        await other.sign_in("LEAD", collaborative="KSS")
        assert (await other.get("/interventions/delirium-4at")).status_code == 404


async def test_search_filters_live_in_the_url_and_wrong_values_are_errors_beside_their_fields(app: Any) -> None:
    async with PageClient(app) as browser:
        found = await browser.get("/search", params={"q": "falls", "careSetting": "CARE_HOME"})
        assert found.status_code == 200
        assert "Falls prevention and post-fall decisions in care homes" in found.text
        assert 'value="CARE_HOME" selected' in found.text  # the filter is shown as chosen
        wrong = await browser.get("/search", params={"q": "falls", "careSetting": "NOWHERE", "status": "SOON"})
        assert wrong.status_code == 400
        assert error_beside(wrong, "careSetting") == "Choose a care setting from the list"
        assert error_beside(wrong, "status") == "Choose a stage of development from the list"
        assert '<a href="#careSetting">' in wrong.text  # the error summary links to the field
        assert "<title>Error: " in wrong.text
        unused = await browser.get("/search", params={"harmArea": "Broken hearts"})  # the API's refusal, beside the field
        assert unused.status_code == 400 and "is not a harm area in the list or in use" in (error_beside(unused, "harmArea") or "")
        assert "Falls prevention and post-fall decisions in care homes" in unused.text  # and every result still shown
        listed = await browser.get("/search", params={"harmArea": "venous thromboembolism"})  # in the list, nobody's yet
        assert listed.status_code == 200 and not error_beside(listed, "harmArea")


async def test_a_provider_records_adoption_correcting_a_field_error(app: Any, seeded: Graph) -> None:
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="ZC063")
        form = await provider.get("/interventions/falls-care-homes/adopt")
        assert form.status_code == 200 and "Record adoption" in form.text
        refused = await provider.post("/interventions/falls-care-homes/adopt",
                                      {"organisation": "ZC063", "quarter": "2031/32 Q1", "stage": "",
                                       "adaptations.0.why": "night staff"})
        assert refused.status_code == 400  # the form's own check: nothing is sent to the API
        assert error_beside(refused, "adaptations-0-what") == "Say what you adapted, as well as why"
        assert 'value="night staff"' in refused.text  # what was typed is kept
        refused = await provider.post("/interventions/falls-care-homes/adopt",
                                      {"organisation": "ZC063", "quarter": "2031/32 Q1", "stage": ""})
        assert refused.status_code == 400  # the API's refusal, field by field
        assert "has not started yet" in (error_beside(refused, "quarter") or "")
        assert error_beside(refused, "stage") == ("Choose a stage from 0 (no contact yet) to 7 (sustained), or say the "
                                                  "intervention is not applicable")
        assert await _count(seeded, "MATCH (a:Adoption {organisation: 'ZC063', interventionId: 'falls-care-homes'}) RETURN count(a) AS n") == 0
        done = await provider.post("/interventions/falls-care-homes/adopt",
                                   {"organisation": "ZC063", "quarter": "2025/26 Q3", "stage": "4",
                                    "adaptations.0.what": "Huddle at night handover", "adaptations.0.why": "Falls happen at night",
                                    "learnedFrom.kind": "COLLABORATIVE", "learnedFrom.collaborative": "WESSEX",
                                    "localResult": "Fewer falls at night"}, follow=True)
        assert done.status_code == 200 and str(done.url).endswith("/organisations/ZC063")
        assert "recorded for 2025/26 Q3" in text_of(done)
        assert "Falls prevention and post-fall decisions in care homes" in done.text
    rows = await seeded.read("""MATCH (:Organisation {odsCode: 'ZC063'})-[:ADOPTED]->(a:Adoption {interventionId: 'falls-care-homes'})
                                -[:OBSERVED]->(x) RETURN x.stage AS stage, x.quarter AS quarter, x.localResult AS result""")
    assert rows == [{"stage": 4, "quarter": "2025/26 Q3", "result": "Fewer falls at night"}]


async def test_a_provider_cannot_act_for_another_organisation_or_as_a_lead(app: Any, seeded: Graph) -> None:
    priorities = "MATCH (p:Priority) RETURN count(p) AS n"
    before = await _count(seeded, priorities)
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="Z43")
        page = await provider.get("/collaboratives/KSS")
        assert "Set a new priority" not in page.text  # no lead's form for a provider
        await provider.get("/interventions/falls-care-homes/adopt")  # a page with this session's token
        refused = await provider.post("/collaboratives/KSS/priorities", {"title": "Mine", "harmArea": "Falls"})
        assert refused.status_code == 403 and "You cannot do this" in refused.text
        assert (await provider.get("/returns")).status_code == 403
        await provider.get("/interventions/falls-care-homes/adopt")
        other = await provider.post("/interventions/falls-care-homes/adopt",
                                    {"organisation": "Z01", "quarter": "2025/26 Q3", "stage": "2"})
        assert other.status_code == 403
    assert await _count(seeded, priorities) == before


async def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(app: Any, seeded: Graph) -> None:
    before = await _count(seeded, "MATCH (p:Priority) RETURN count(p) AS n")
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        response = await lead.post("/collaboratives/KSS/priorities", {"title": "Forged", "harmArea": "Falls"}, csrf=False)
        assert response.status_code == 403 and "did not come from this service" in response.text
        forged = await lead.post("/collaboratives/KSS/priorities", [("title", "Forged"), ("harmArea", "Falls"),
                                                                     ("csrf_token", "guess")], csrf=False)
        assert forged.status_code == 403
    assert await _count(seeded, "MATCH (p:Priority) RETURN count(p) AS n") == before


async def test_a_lead_sets_changes_and_retires_a_priority(app: Any, seeded: Graph) -> None:
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        page = await lead.get("/collaboratives/KSS")
        assert '<option value="Falls"' in page.text and '<option value="__other__"' in page.text, "harm areas from a list"
        missing = await lead.post("/collaboratives/KSS/priorities", {"title": "Safer discharge", "harmArea": ""})
        assert missing.status_code == 400 and "Choose the harm area it addresses" in (error_beside(missing, "harmArea") or "")
        untitled = await lead.post("/collaboratives/KSS/priorities", {"title": "", "harmArea": "__other__", "harmAreaOther": ""})
        assert "Enter the priority's title" in (error_beside(untitled, "title") or "")
        assert "Enter the new harm area" in (error_beside(untitled, "harmAreaOther") or "")
        assert 'value="Safer discharge"' in missing.text  # what was typed is kept
        done = await lead.post("/collaboratives/KSS/priorities",
                               {"title": "Safer discharge", "harmArea": "__other__", "harmAreaOther": "medicines SAFETY"}, follow=True)
        assert "Priority 'Safer discharge' set." in text_of(done)
        again = await lead.post("/collaboratives/KSS/priorities", {"title": " safer  Discharge", "harmArea": "Falls"})
        assert again.status_code == 400 and "already has an active priority called" in (error_beside(again, "title") or "")
        found = re.search(r'href="/collaboratives/KSS/priorities/([^/"]+)/edit">Change<span class="nhsuk-u-visually-hidden"> Safer discharge',
                          done.text)
        assert found, "no change link for the new priority"
        identifier = found.group(1)
        [row] = await seeded.read("MATCH (p:Priority {id: $id}) RETURN p.harmArea AS area", {"id": identifier})
        assert row["area"] == "Medicines safety", "a harm area typed in another case is the one in use"
        await lead.get(f"/collaboratives/KSS/priorities/{identifier}/edit")
        changed = await lead.post(f"/collaboratives/KSS/priorities/{identifier}/edit",
                                  {"title": "Safer discharge home", "harmArea": "Medicines safety", "rationale": ""}, follow=True)
        assert "Priority 'Safer discharge home' changed." in text_of(changed)
        confirm = await lead.get(f"/collaboratives/KSS/priorities/{identifier}/retire")
        assert "Retire “Safer discharge home”?" in text_of(confirm), "retiring asks first"
        retired = await lead.post(f"/collaboratives/KSS/priorities/{identifier}/retire", {"reason": "Done"}, follow=True)
        assert "Priority 'Safer discharge home' retired." in text_of(retired)
    status = await seeded.read("MATCH (p:Priority {id: $id}) RETURN p.status AS status, p.title AS title", {"id": identifier})
    assert status == [{"status": "RETIRED", "title": "Safer discharge home"}]
    assert await _count(seeded, "MATCH (p:Priority) WHERE toLower(p.title) STARTS WITH 'safer discharge' RETURN count(p) AS n") == 1


async def test_a_lead_publishes_after_seeing_similar_interventions_then_edits_and_moves_it(app: Any, seeded: Graph) -> None:
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        await lead.get("/interventions/new?collaborative=KSS")
        fields = {"collaborative": "KSS", "title": "Safety huddles every day on the ward", "summary": "A daily ward safety huddle naming patients at risk",
                  "careSettings": "ACUTE", "harmArea": "Deterioration", "status": "TESTING",
                  "components.0.name": "Huddle", "evidence.0.type": "PILOT", "evidence.0.summary": ""}
        similar = await lead.post("/interventions/new", fields)
        assert similar.status_code == 200 and "This looks like an existing intervention" in similar.text
        assert "Daily ward safety huddles" in similar.text and 'name="confirmed" value="yes"' in similar.text
        incomplete = await lead.post("/interventions/new", {**fields, "confirmed": "yes"})
        assert incomplete.status_code == 400
        assert error_beside(incomplete, "evidence-0-summary")  # the row's missing summary, beside it
        assert 'name="confirmed" value="yes"' in incomplete.text  # not asked about similar ones again
        fields["evidence.0.summary"] = "Piloted on two wards"
        published = await lead.post("/interventions/new", {**fields, "confirmed": "yes"}, follow=True)
        assert published.status_code == 200 and "is published" in text_of(published)
        identifier = str(published.url).rsplit("/", 1)[-1]
        await lead.get(f"/interventions/{identifier}/edit")
        edited = await lead.post(f"/interventions/{identifier}/edit",
                                 {**{k: v for k, v in fields.items() if k not in ("collaborative", "status")},
                                  "evidence.0.result": "Fewer unplanned ICU admissions", "note": "Added the result"}, follow=True)
        assert "Saved as version 2." in text_of(edited)
        await lead.get(f"/interventions/{identifier}/status")
        jump = await lead.post(f"/interventions/{identifier}/status", {"status": "PROVEN"})
        assert jump.status_code == 400 and error_beside(jump, "status")
        moved = await lead.post(f"/interventions/{identifier}/status", {"status": "IMPLEMENTED"}, follow=True)
        assert "is now implemented" in text_of(moved)
    row = await seeded.read("MATCH (i:Intervention {id: $id}) RETURN i.status AS status, i.version AS version", {"id": identifier})
    assert row == [{"status": "IMPLEMENTED", "version": 3}]


async def test_a_lead_checks_a_return_then_confirms_it(app: Any, seeded: Graph) -> None:
    content = workbook_bytes({ADULT_PAEDS.name: [
        site_row("Z43", "Z4301", {"G": "Stage 5 - Adoption", "H": "stage six", "I": "Stage 4 - Testing or Implementation"}),
    ]})
    answers = "MATCH (:Organisation {odsCode: 'Z4301'})-[:ADOPTED]->(:Adoption)-[:OBSERVED]->(x {quarter: '2025/26 Q1'}) RETURN count(x) AS n"
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        await lead.get("/returns")
        before = await _count(seeded, answers)
        checked = await lead.post("/returns/check", {"quarter": "2025/26 Q1", "collaborative": "KSS"},
                                  files={"file": ("KSS 2025-26 Q1 returned.xlsx", content,
                                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
        assert checked.status_code == 200
        assert "Check before importing" in checked.text and 'id="rejections"' in checked.text
        assert "stage six" in checked.text  # the cell that will not be imported, with its value
        assert await _count(seeded, answers) == before  # the dry run wrote nothing
        assert checked.status_code == 200
        confirmed = await lead.post("/returns/confirm", {"token": re.search(r'name="token" value="([^"]+)"', checked.text).group(1),  # type: ignore[union-attr]
                                                         "quarter": "2025/26 Q1", "collaborative": "KSS"}, follow=True)
        assert "Imported KSS 2025-26 Q1 returned.xlsx for 2025/26 Q1" in text_of(confirmed)
        assert "Past uploads of KSS" in text_of(confirmed) and "Development lead" in text_of(confirmed)
        kept = re.search(r'href="(/returns/uploads/upload-[0-9a-f]+\.xlsx)">KSS 2025-26 Q1 returned.xlsx', confirmed.text)
        assert kept, "the upload is listed with its file"
        again = await lead.post("/returns/confirm", {"token": "x" * 22, "quarter": "2025/26 Q1"}, follow=True)
        assert "has expired or was already imported" in text_of(again)
        book = await lead.get("/returns/workbook", params={"collaborative": "KSS", "quarter": "2025/26 Q2", "prefill": "yes"})
        assert book.status_code == 200 and book.content[:2] == b"PK"
        assert "attachment" in book.headers["content-disposition"]
        assert (await lead.get("/returns/workbook", params={"collaborative": "UCLP", "quarter": "2025/26 Q2"})).status_code == 403
        download = await lead.get(kept.group(1))
        assert download.status_code == 200 and download.content == content, "the file as it was sent"
        assert (await lead.get("/returns/uploads/upload-0000000000000000.xlsx")).status_code == 404
    assert await _count(seeded, answers) >= 2


async def test_a_return_that_is_not_a_workbook_is_an_error_beside_the_file_field(app: Any) -> None:
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        await national.get("/returns")
        refused = await national.post("/returns/check", {"quarter": "2025/26 Q1"},
                                      files={"file": ("notes.xlsx", b"not a workbook", "application/octet-stream")})
        assert refused.status_code == 422 and error_beside(refused, "file")
        await national.get("/returns")
        empty = await national.post("/returns/check", {"quarter": "2025/26 Q1"}, files={"file": ("", b"", "application/octet-stream")})
        assert error_beside(empty, "file") == "Choose the returned workbook (.xlsx) to upload"
        await national.get("/returns")
        workbook = workbook_bytes({ADULT_PAEDS.name: [site_row("Z01", "Z0101", {"G": "Stage 2 - Interest"})]})
        unnamed = await national.post("/returns/check", {"quarter": ""}, files={"file": ("return.xlsx", workbook, "application/octet-stream")})
        assert unnamed.status_code == 400
        assert error_beside(unnamed, "quarter") == ("Enter the reporting quarter, for example 2026/27 Q2: "
                                                    "the file name 'return.xlsx' does not say it")


async def test_the_spread_page_has_charts_with_their_tables_and_csv(app: Any) -> None:
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        page = await national.get("/interventions/marthas-rule/spread", params={"quarter": "2025/26 Q4", "compareWith": "2025/26 Q3"})
        assert page.status_code == 200
        assert len(re.findall(r'<svg[^>]* role="img" aria-labelledby="chart-', page.text)) == 2
        assert len(re.findall(r'<svg[^>]* role="img" aria-labelledby="map-spread-', page.text)) == 1  # the map of England
        assert "<title id=\"chart-regions-title\">Stage of adoption by collaborative, 2025/26 Q4</title>" in page.text
        assert "Health Innovation Kent Surrey Sussex" in page.text  # names, not only codes
        assert "answers have been at the same stage for 3 quarters or more" in text_of(page)
        for table in ("table-by-collaborative", "table-time-series", "table-map-areas", "table-map-sites", "table-at-or-below", "table-movement"):
            assert f'id="{table}"' in page.text
        download = await national.get("/interventions/marthas-rule/spread/byCollaborative.csv", params={"quarter": "2025/26 Q4"})
        rows = list(csv.reader(io.StringIO(download.text)))
        assert rows[0][:3] == ["Collaborative", "Stage 0", "Stage 1"] and rows[-1][0] == "England" and len(rows) == 17
        assert sum(int(r[9]) for r in rows[1:-1]) == int(rows[-1][9])  # not applicable adds up
        sites = await national.get("/interventions/marthas-rule/spread/sitesAtOrBelow.csv", params={"quarter": "2025/26 Q4"})
        assert sites.status_code == 200 and sites.text.startswith("Site code,Site,Trust")
        wrong = await national.get("/interventions/marthas-rule/spread", params={"phase": "7"})
        assert wrong.status_code == 400 and error_beside(wrong, "phase") == "Choose a phase from the list"


async def test_the_quarterly_report_page_has_every_table_and_its_csv(app: Any) -> None:
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        page = await national.get("/interventions/marthas-rule/quarterly-report", params={"quarter": "2025/26 Q4"})
        assert page.status_code == 200
        for table in ("table-sites-by-phase", "table-sites-by-collaborative", "table-stages-adult_inpatient",
                      "table-stages-paediatric_inpatient", "table-at-or-below", "table-answers"):
            assert f'id="{table}"' in page.text
        assert "All 15 collaboratives returned for 2025/26 Q4" in text_of(page)
        stages = list(csv.reader(io.StringIO((await national.get(
            "/interventions/marthas-rule/quarterly-report/stageTables.csv", params={"quarter": "2025/26 Q4"})).text)))
        assert stages[0][:4] == ["Care setting", "Component", "Phase", "Stage 0"]
        adults = [r for r in stages[1:] if r[0] == "Adult inpatients" and r[1] == "Patient check-in"]
        assert [r[2] for r in adults] == ["All", "1", "2", "3"]
        assert int(adults[0][11]) == sum(int(r[11]) for r in adults[1:])  # the phases add up to the whole
        by_collaborative = list(csv.reader(io.StringIO((await national.get(
            "/interventions/marthas-rule/quarterly-report/sitesByCollaborative.csv")).text)))
        assert len(by_collaborative) == 17 and by_collaborative[-1][0] == "England"
        assert sum(int(r[-2]) for r in by_collaborative[1:-1]) == int(by_collaborative[-1][-2])
        answers = await national.get("/interventions/marthas-rule/quarterly-report/answers.csv", params={"quarter": "2025/26 Q4"})
        assert answers.status_code == 200 and answers.text.startswith("Site code,Site,Trust code,Trust,Collaborative,Phase,Adult inpatients")
        wrong = await national.get("/interventions/marthas-rule/quarterly-report", params={"quarter": "2025 Q9"})
        assert wrong.status_code == 400 and "is not a reporting quarter" in error_beside(wrong, "quarter")
    async with PageClient(app) as anonymous:
        page = await anonymous.get("/interventions/marthas-rule/quarterly-report")
        assert page.status_code == 200 and 'id="table-stages-adult_inpatient"' in page.text and 'id="table-answers"' not in page.text
        assert (await anonymous.get("/interventions/marthas-rule/quarterly-report/answers.csv")).status_code == 403


async def test_national_pages_and_the_audit_trail(app: Any) -> None:
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        overview = await national.get("/national")
        assert overview.status_code == 200 and "Health Innovation East Midlands" in overview.text
        audit = await national.get("/national/audit", params={"operation": "setPriority"})
        assert audit.status_code == 200 and "changes, newest first" in audit.text
        bad = await national.get("/national/audit", params={"since": "yesterday"})
        assert bad.status_code == 400 and error_beside(bad, "since") == "Enter a date like 2026-03-31"
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        refused = await lead.get("/national/audit")
        assert refused.status_code == 403 and "You cannot do this" in refused.text


async def test_page_round_trips_do_not_grow_with_the_rows_shown(settings: Settings, seeded: Graph) -> None:
    """The same page over more rows costs the same number of queries (read, not served from the cache)."""
    uncached = create_app(settings.model_copy(update={"cache_entries": 0}), graph=seeded)
    async with PageClient(uncached) as national:
        await national.sign_in("NATIONAL")

        async def trips(path: str) -> int:
            response = await national.get(path)
            assert response.status_code == 200
            return int(response.headers["x-db-round-trips"])

        assert await trips("/search?q=falls") == await trips("/search")  # a few hits, then ten
        # 5 adoptions and 8 suggestions, 3 adoptions and 11 suggestions: the same cost
        assert await trips("/organisations/Z01") == await trips("/organisations/Z44")
        assert await trips("/collaboratives/KSS") == await trips("/collaboratives/NENC")
        async def kept_trips(path: str) -> int:
            """The page's cost once its report's parts are kept (the first read after a change works
            them out and keeps them: a few statements more)."""
            await trips(path)
            return await trips(path)

        # every answer of the quarter, one setting's, another quarter's: the same cost
        spreads = {await kept_trips(f"/interventions/marthas-rule/spread?{q}") for q in ("", "careSetting=ADULT_INPATIENT", "quarter=2025%2F26+Q1")}
        assert len(spreads) == 1
        # the first quarter of the demo history and the last: the same cost
        reports = {await kept_trips(f"/interventions/marthas-rule/quarterly-report?{q}") for q in ("quarter=2024%2F25+Q1", "quarter=2026%2F27+Q2")}
        assert len(reports) == 1
        # a tree of 85 organisations and one of 6: the same cost, once each has its resolved lineage kept
        # (the first read after a change resolves it from the rows and keeps it: two statements more)
        big, small = "/interventions/marthas-rule/lineage", "/interventions/news2-deterioration/lineage"
        first = [await trips(big), await trips(small)]
        assert await trips(big) == await trips(small) <= min(first)


async def test_development_sign_in_checks_its_choices_and_exists_only_in_development(app: Any, settings: Settings, seeded: Graph) -> None:
    async with PageClient(app) as browser:
        await browser.get("/dev/sign-in")
        wrong = await browser.post("/dev/sign-in", {"role": "PROVIDER", "organisation": "NOPE1"})
        assert wrong.status_code == 400 and "No organisation has the ODS code 'NOPE1'" in error_beside(wrong, "organisation")  # type: ignore[operator]
    production = create_app(settings.model_copy(update={"env": "production"}), graph=seeded)
    async with PageClient(production) as browser:
        assert (await browser.get("/dev/sign-in")).status_code == 404
        unavailable = await browser.get("/sign-in")
        assert unavailable.status_code == 503 and "Signing in is not available" in unavailable.text


async def test_no_page_or_asset_loads_anything_from_another_host() -> None:
    from pathlib import Path

    web = Path(__file__).resolve().parent.parent / "collab_api" / "web"
    outside = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
    css_urls = re.compile(r"url\(\s*['\"]?(?:https?:)?//", re.I)
    found = [str(p) for p in web.rglob("*.html") if outside.search(p.read_text(encoding="utf-8"))]
    found += [str(p) for p in web.rglob("*.css") if css_urls.search(p.read_text(encoding="utf-8"))]
    assert found == []


async def test_graphiql_is_served_from_local_assets(app: Any) -> None:
    async with PageClient(app) as browser:
        page = await browser.get("/graphql", headers={"accept": "text/html"})
        assert "unpkg" not in page.text
        scripts = re.findall(r'src="(/static/[^"]+)"', page.text)
        assert len(scripts) == 4
        for script in scripts:
            assert (await browser.get(script)).status_code == 200


async def test_returns_for_any_intervention_are_found_by_title(app: Any) -> None:
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        found = await lead.get("/returns", params={"find": "hydration"})
        assert 'href="/returns?intervention=hydration-care-homes"' in found.text
        assert (await lead.get("/returns", params={"find": "zzzz"})).text.count("No intervention has 'zzzz' in its title") == 1
        assert (await lead.get("/returns", params={"intervention": "no-such-thing"})).status_code == 404
        assert 'href="/returns?intervention=falls-care-homes"' in (await lead.get("/interventions/falls-care-homes")).text
        book = await lead.get("/returns/workbook", params={"collaborative": "KSS", "quarter": "2025/26 Q2", "prefill": "yes",
                                                           "intervention": "hydration-care-homes"})
        assert book.status_code == 200 and book.content[:2] == b"PK"
        assert 'filename="KSS 2025-26 Q2 Hydration' in book.headers["content-disposition"]
    async with PageClient(app) as provider:
        await provider.sign_in("PROVIDER", organisation="Z43")
        assert "/returns?intervention" not in (await provider.get("/interventions/falls-care-homes")).text


async def test_the_organisation_finder_suggests_and_finds_a_chosen_suggestion(app: Any) -> None:
    async with PageClient(app) as browser:
        trusts = (await browser.get("/organisations/suggest.json", params={"q": "Kent and", "kind": "TRUST"})).json()
        assert trusts and all(t["odsCode"] and "Kent and Medway" in t["name"] for t in trusts)
        assert (await browser.get("/organisations/suggest.json", params={"q": "Z43"})).json()[0]["odsCode"] == "Z43"
        assert (await browser.get("/organisations/suggest.json", params={"q": "K"})).json() == []  # too short
        assert (await browser.get("/organisations/suggest.json", params={"q": "Kent", "kind": "NOPE"})).json() == []
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        await national.get("/interventions/falls-care-homes/adopt")
        chosen = f"{trusts[0]['name']} ({trusts[0]['odsCode']})"  # as a suggestion fills the field in
        page = await national.post("/interventions/falls-care-homes/adopt", {"organisation": "Kent and Medway Hospitals",
                                                                              "quarter": "2025/26 Q2", "stage": "3",
                                                                              "learnedFrom.kind": "ORGANISATION",
                                                                              "learnedFrom.organisation": chosen})
        assert page.status_code == 400
        assert "match 'Kent and Medway Hospitals': choose one from the list below" in error_beside(page, "organisation")
        assert 'name="organisationChoice"' in page.text and not error_beside(page, "learnedFrom.organisation")


async def test_the_national_team_adds_a_harm_area_typed_as_another_to_the_list(app: Any, seeded: Graph) -> None:
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        await lead.get("/collaboratives/KSS")
        await lead.post("/collaboratives/KSS/priorities", {"title": "Safer oxygen prescribing", "harmArea": "__other__",
                                                           "harmAreaOther": "oxygen  safety"})
        assert (await lead.get("/national/harm-areas")).status_code == 403
        assert "Oxygen safety" not in (await lead.get("/collaboratives/KSS")).text.split('id="harmArea"')[1].split("</select>")[0]
    async with PageClient(app) as national:
        await national.sign_in("NATIONAL")
        page = await national.get("/national/harm-areas")
        assert page.status_code == 200 and "oxygen safety" in text_of(page)
        assert "Nutrition and hydration" in text_of(page)  # the first list
        empty = await national.post("/national/harm-areas", {"name": ""})
        assert empty.status_code == 400 and "Enter the harm area to add" in (error_beside(empty, "name") or "")
        twice = await national.post("/national/harm-areas", {"name": "FALLS"})
        assert "'Falls' is already in the list of harm areas" in (error_beside(twice, "name") or "")
        added = await national.post("/national/harm-areas", {"name": "oxygen safety", "from": "proposed"}, follow=True)
        assert "'oxygen safety' is added to the list" in text_of(added)
        assert "None: every harm area in use is in the list" in text_of(added) or "oxygen safety</td>" not in added.text
    events = await seeded.read("MATCH (e:AuditEvent {operation: 'addHarmArea'}) RETURN e.summary AS s")
    assert [e["s"] for e in events] == ["added 'oxygen safety' to the list of harm areas"]
    async with PageClient(app) as lead:
        await lead.sign_in("LEAD", collaborative="KSS")
        options = (await lead.get("/collaboratives/KSS")).text.split('id="harmArea"')[1].split("</select>")[0]
        assert ">oxygen safety</option>" in options  # the next person can choose it
