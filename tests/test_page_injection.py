"""No text a person types can change a page for someone else: hostile markup is stored in every
field the API takes (and in an organisation's name, as a return or an ODS file would bring it),
then every page reachable from the home page is fetched by four kinds of visitor, plainly and
with hostile query parameters, and none of the markup may come back unescaped."""

from __future__ import annotations

import re
from collections import deque
from typing import Any

import pytest

from collab_api.app import create_app
from collab_api.db.graph import Graph
from tests.web import PageClient

pytestmark = pytest.mark.usefixtures("network")

# Each marker is what must never appear raw: an element, an attribute break-out, a refresh.
HOSTILE = "Falls \"'><i id=pwn>x</i><meta http-equiv=refresh content=0;url=//evil.example>"
RAW = ("<i id=pwn>", "<meta http-equiv=refresh", "\"'><i")
PARAMS = ("quarter", "compareWith", "component", "careSetting", "phase", "atOrBelowStage", "harmArea", "q", "after",
          "collaborative", "from", "status", "setting", "stage", "kind", "next", "actor", "action", "page", "offset")

PUBLISH = """mutation($input: PublishInterventionInput!) { publishIntervention(input: $input) {
    errors { field code message } intervention { id } } }"""
PRIORITY = """mutation($input: SetPriorityInput!) { setPriority(input: $input) { errors { field code message } priority { id } } }"""
ADOPT = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { field code message } } }"""
MEASURE = """mutation($input: RecordMeasureValuesInput!) { recordMeasureValues(input: $input) { errors { field code message } } }"""
PDSA = """mutation($input: PdsaCycleInput!) { recordPdsaCycle(input: $input) { errors { field code message } } }"""
PARTNER = """mutation($input: PartnershipInput!) { createImprovementPartnership(input: $input) {
    errors { field code message } partnership { id } } }"""
PLAN = """mutation($input: PlanInput!) { publishImprovementPlan(input: $input) { errors { field code message } plan { id } } }"""
INSPECTION = """mutation($input: InspectionInput!) { recordInspection(input: $input) { errors { field code message } } }"""


def hostile(label: str) -> str:
    return f"{label} {HOSTILE}"


async def _store_hostile_text(graph: Graph, gql: Any, tokens: Any) -> dict[str, str]:
    """Hostile text in every free-text field the API stores; returns the ids of what it made."""
    member = (await graph.read("""MATCH (:Collaborative {code: 'KSS'})-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {kind: 'TRUST'})
                                  RETURN o.odsCode AS code ORDER BY code LIMIT 1"""))[0]["code"]
    national, lead = gql, gql.as_(tokens("LEAD", collaborative="KSS"))
    priority = (await lead.data(PRIORITY, {"input": {"collaborative": "KSS", "title": hostile("Priority"),
                                                      "harmArea": hostile("Harm"), "rationale": hostile("Why")}}))["setPriority"]
    assert priority["errors"] == [], priority
    given = {
        "collaborative": "KSS", "originOrganisation": member, "title": hostile("Title"), "summary": hostile("Summary"),
        "problem": hostile("Problem"), "why": hostile("Why"), "materials": hostile("Materials"), "procedures": hostile("Procedures"),
        "whoDelivers": hostile("Who"), "how": hostile("How"), "whenHowMuch": hostile("When"), "tailoring": hostile("Tailoring"),
        "patientInvolvement": hostile("Patients"), "sourceIndustry": hostile("Industry"), "harmArea": hostile("Harm"),
        "tags": [hostile("Tag")], "careSettings": ["ACUTE", "ADULT_INPATIENT"],
        "components": [{"name": hostile("Component"), "description": hostile("Component description")}],
        "measures": [{"kind": "OUTCOME", "name": hostile("Measure"), "definition": hostile("Definition"),
                      "valueType": "COUNT", "unit": hostile("Unit"), "improvement": "DOWN"}],
        "evidence": [{"type": "PILOT", "summary": hostile("Evidence"), "baseline": hostile("Baseline"), "result": hostile("Result"),
                      "period": "2025/26 Q1", "unintendedConsequences": hostile("Unintended")}],
        "resources": [{"title": hostile("Resource"), "url": "https://example.org/r?a=%22%3E"}],
        "contact": {"name": hostile("Contact"), "role": hostile("Role"), "email": "lead@example.org", "organisation": member,
                    "consentedToContact": True},
        "priorityIds": [priority["priority"]["id"]], "status": "TESTING",
    }
    published = (await lead.data(PUBLISH, {"input": given}))["publishIntervention"]
    assert published["errors"] == [], published
    intervention = published["intervention"]["id"]
    component = (await lead.data("query($id: ID!) { intervention(id: $id) { components { key } } }",
                                 {"id": intervention}))["intervention"]["components"][0]["key"]

    provider = gql.as_(tokens("PROVIDER", organisation="Z01"))
    for quarter, stage in (("2025/26 Q1", 2), ("2025/26 Q2", 5)):
        adopted = (await provider.data(ADOPT, {"input": {
            "organisation": "Z01", "intervention": intervention, "component": component, "careSetting": "ACUTE", "stage": stage,
            "quarter": quarter, "learnedFrom": {"organisation": member}, "localResult": hostile("Local result"),
            "adaptations": [{"what": hostile("Adapted"), "why": hostile("Because")}],
            "contact": {"name": hostile("Adopter"), "role": hostile("Role"), "email": "z01@example.org", "organisation": "Z01",
                        "consentedToContact": True}}}))["recordAdoption"]
        assert adopted["errors"] == [], adopted
    values = (await provider.data(MEASURE, {"input": {
        "organisation": "Z01", "intervention": intervention, "measure": hostile("Measure"), "improvement": "DOWN",
        "points": [{"period": f"2025-{m:02d}", "value": v} for m, v in zip(range(1, 13), [9, 8, 9, 7, 8, 6, 5, 6, 5, 4, 5, 4])],
        "annotations": [{"period": "2025-06", "kind": "PDSA_STARTED", "text": hostile("Annotation")}]}}))["recordMeasureValues"]
    assert values["errors"] == [], values
    cycle = (await provider.data(PDSA, {"input": {"organisation": "Z01", "intervention": intervention, "change": hostile("Change"),
                                                  "prediction": hostile("Prediction"), "startedOn": "2025-06-01"}}))["recordPdsaCycle"]
    assert cycle["errors"] == [], cycle

    partnership = (await national.data(PARTNER, {"input": {
        "supporting": "Z01", "supported": "Z12", "contractingBody": hostile("Body"), "startsOn": "2026-07-01",
        "scope": [hostile("Scope")], "interventions": [intervention],
        "improvementDirector": {"role": hostile("Director")}}}))["createImprovementPartnership"]
    assert partnership["errors"] == [], partnership
    plan = (await national.data(PLAN, {"input": {"organisation": "Z12", "title": hostile("Plan"),
                                                 "partnership": partnership["partnership"]["id"], "actions": [
        {"title": hostile("Action"), "theme": hostile("Theme"), "ownerRole": hostile("Owner"), "dueOn": "2027-03-31"}]}}))
    assert plan["publishImprovementPlan"]["errors"] == [], plan
    inspection = (await national.data(INSPECTION, {"input": {"organisation": "Z12", "inspectedOn": "2026-01-10",
                                                             "overall": "GOOD", "source": hostile("Source")}}))["recordInspection"]
    assert inspection["errors"] == [], inspection
    # What a return or an ODS file brings: an organisation's name (the loaders store it as given).
    await graph.write("MATCH (o:Organisation {odsCode: 'Z12'}) SET o.name = $name", {"name": hostile("Trust")})
    return {"intervention": intervention, "plan": plan["publishImprovementPlan"]["plan"]["id"], "member": member}


def _raw_markup(body: str) -> list[str]:
    return [marker for marker in RAW if marker in body]


def _links(body: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/[^"#]*)"', body)
            if not link.startswith(("/assets/", "/static/", "/sign-out", "/graphql"))]


def _shape(path: str) -> str:
    """Pages of one kind share a shape: ids and query values left out."""
    bare = path.split("?")[0]
    return re.sub(r"/[^/]*\d[^/]*", "/*", bare)


async def _crawl(pages: PageClient, starts: list[str], per_shape: int = 3, limit: int = 160) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    queue, seen, shapes = deque(starts), set(starts), {}  # type: ignore[var-annotated]
    fetched = 0
    while queue and fetched < limit:
        path = queue.popleft()
        response = await pages.get(path)
        fetched += 1
        assert response.status_code < 500, (path, response.status_code, response.text[:500])
        if "html" not in response.headers.get("content-type", ""):
            continue
        if bad := _raw_markup(response.text):
            found[path] = bad
        separator = "&" if "?" in path else "?"
        hostile_path = path + separator + "&".join(f"{name}={HOSTILE}" for name in PARAMS)
        echoed = await pages.get(hostile_path.replace("#", "%23"))
        assert echoed.status_code < 500, (hostile_path, echoed.status_code, echoed.text[:500])
        if bad := _raw_markup(echoed.text):
            found[hostile_path] = bad
        for link in _links(response.text):
            shape = _shape(link)
            if link in seen or shapes.get(shape, 0) >= per_shape:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    return found


async def test_no_stored_or_echoed_text_reaches_a_page_unescaped(settings: Any, graph: Graph, gql: Any, tokens: Any) -> None:
    made = await _store_hostile_text(graph, gql, tokens)
    intervention = made["intervention"]
    starts = ["/", "/search?q=falls", f"/search?q={HOSTILE}", "/search?harmArea=Falls", "/collaboratives", "/collaboratives/KSS",
              f"/interventions/{intervention}", f"/interventions/{intervention}/lineage", f"/interventions/{intervention}/spread",
              f"/interventions/{intervention}/quarterly-report", f"/organisations/Z01/measures/{intervention}",
              "/organisations/Z01", "/organisations/Z12", f"/plans/{made['plan']}", "/national", "/national/audit",
              "/national/improvement", "/returns", f"/interventions/{intervention}/edit", f"/interventions/{intervention}/status",
              f"/interventions/{intervention}/adopt", "/interventions/new", "/about", "/accessibility", "/no-such-page"]
    visitors = {"anonymous": None, "provider": ("PROVIDER", "", "Z01"), "lead": ("LEAD", "KSS", ""), "national": ("NATIONAL", "", "")}
    everything: dict[str, dict[str, list[str]]] = {}
    for name, who in visitors.items():
        async with PageClient(create_app(settings, graph=graph)) as pages:
            if who:
                await pages.sign_in(who[0], collaborative=who[1], organisation=who[2])
            found = await _crawl(pages, starts)
            if found:
                everything[name] = found
    assert everything == {}, everything


async def test_the_hostile_text_is_on_the_pages_escaped(settings: Any, graph: Graph) -> None:
    """The crawl above proves something only if the text reached the pages: it did, escaped."""
    async with PageClient(create_app(settings, graph=graph)) as pages:
        body = (await pages.get("/search?q=Title")).text
        assert "&lt;i id=pwn&gt;" in body and "Title Falls" in body
        assert "&lt;i id=pwn&gt;" in (await pages.get("/organisations/Z12")).text


async def test_every_template_is_autoescaped_whatever_its_extension() -> None:
    from collab_api.web.templating import environment

    for name in ("base.html", "nhsuk/components/input/macro.jinja", "nhsuk/components/header/template.jinja", "chart.svg", "x.njk"):
        assert environment.autoescape is True or environment.autoescape(name), name
