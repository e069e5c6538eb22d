"""The learning loop on the pages (server-rendered, no JavaScript): asking on an intervention
with the error beside the field, the adopter's notifications and the header's unread count,
answering and marking helpful, following, asking the network from a search with no results,
the unsubscribe link without signing in, /dev/mail, and the Atom feeds read back by a feed
reader (feedparser) and checked against RFC 4287's required elements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import pytest

from collab_api.app import create_app
from collab_api.db.graph import Graph
from collab_api.mail.tokens import unsubscribe_token
from collab_api.web.routes import session_secret
from tests.web import PageClient, error_beside, text_of

pytestmark = pytest.mark.usefixtures("network")
ATOM = "{http://www.w3.org/2005/Atom}"
ADOPT = """mutation { recordAdoption(input: {organisation: "Z11", intervention: "news2-deterioration", stage: 5,
    quarter: "2026/27 Q2", observedOn: "2026-08-15"}) { errors { message } } }"""


async def _sign_in(client: PageClient, role: str, *, organisation: str = "", collaborative: str = "", name: str = "",
                   email: str = "") -> None:
    await client.get("/dev/sign-in")
    done = await client.post("/dev/sign-in", {"role": role, "collaborative": collaborative, "organisation": organisation,
                                              "name": name, "email": email})
    assert done.status_code == 303


async def test_ask_answer_follow_and_notifications_on_the_pages(settings: Any, network: Graph, gql: Any) -> None:
    app = create_app(settings, graph=network)
    assert (await gql.data(ADOPT))["recordAdoption"]["errors"] == []
    async with PageClient(app) as adopter, PageClient(app) as asker:
        await _sign_in(adopter, "PROVIDER", organisation="Z11", name="Ola Adopter", email="ola@z11.example.nhs.uk")
        await _sign_in(asker, "PROVIDER", organisation="ZC006", name="Sam Asker", email="sam@zc006.example.nhs.uk")
        page = await asker.get("/interventions/news2-deterioration")
        assert "Ask the people who did it" in text_of(page)
        empty = await asker.post("/interventions/news2-deterioration/questions", {"text": " "})
        assert empty.status_code == 400 and error_beside(empty, "text") == "text is required"
        asked = await asker.post("/interventions/news2-deterioration/questions",
                                 {"text": "Did community teams use the same escalation card?"}, follow=True)
        assert "Did community teams use the same escalation card?" in text_of(asked)
        question = re.search(r"/questions/(q-[0-9a-f]+)", str(asked.url))[1]

        home = await adopter.get("/")
        assert "Notifications (1 unread)" in text_of(home)
        notes = await adopter.get("/notifications")
        assert "A question for you" in text_of(notes) and f'href="/questions/{question}"' in notes.text
        answered = await adopter.post(f"/questions/{question}", {"text": "Yes: one card, laminated, at every base.",
                                                                 "pointsTo": ""}, follow=True)
        assert "Yes: one card, laminated" in text_of(answered) and "Ola Adopter" in text_of(answered)
        wrong = await adopter.post(f"/questions/{question}", {"text": "See this", "pointsTo": "no-such-thing"})
        assert wrong.status_code == 400 and "no intervention has the id" in error_beside(wrong, "pointsTo")

        mine = await asker.get(f"/questions/{question}")
        answer = re.search(rf'/questions/{question}/answers/(a-[0-9a-f]+)/helpful', mine.text)[1]
        helped = await asker.post(f"/questions/{question}/answers/{answer}/helpful", {}, follow=True)
        assert "Helpful, says the person who asked" in text_of(helped)
        assert "An answer to your question" in text_of(await asker.get("/notifications"))

        followed = await asker.post("/follow", {"kind": "INTERVENTION", "target": "news2-deterioration",
                                                "next": "/interventions/news2-deterioration"}, follow=True)
        assert "Stop following this intervention" in text_of(followed)
        settings_page = await asker.get("/notifications")
        assert "Intervention: news2-deterioration" in text_of(settings_page)
        await asker.post("/follow", {"kind": "INTERVENTION", "target": "news2-deterioration", "delivery": "NOW",
                                     "next": "/notifications"})
        assert re.search(r'<option value="NOW" selected', (await asker.get("/notifications")).text)
        outside = await asker.post("/follow", {"kind": "HARM_AREA", "target": "Falls", "next": "https://evil.example/"})
        assert outside.headers["location"] == "/notifications", "only paths on this site are followed"

    async with PageClient(app) as anonymous:
        page = await anonymous.get("/interventions/news2-deterioration")
        assert "question" in text_of(page) and "Did community teams" not in page.text
        assert "Sign in to follow this intervention" in text_of(page)


async def test_a_search_with_no_results_offers_to_ask_the_network(settings: Any, network: Graph) -> None:
    app = create_app(settings, graph=network)
    async with PageClient(app) as national:
        await _sign_in(national, "NATIONAL", name="Nia National", email="nia@england.example.nhs.uk")
    async with PageClient(app) as provider:
        await _sign_in(provider, "PROVIDER", organisation="Z10001", name="Gil GP")
        found = await provider.get("/search", params={"q": "zzqxv qqvz"})
        assert "0 interventions found" in text_of(found) and "/questions/ask?q=zzqxv+qqvz" in found.text
        form = await provider.get("/questions/ask", params={"q": "zzqxv qqvz"})
        assert 'value="zzqxv qqvz"' in form.text or "zzqxv qqvz" in text_of(form)
        asked = await provider.post("/questions/ask", {"text": "Who audits warfarin monitoring in general practice?",
                                                      "harmArea": "", "searchedFor": "warfarin"}, follow=True)
        assert "A question to the network" in text_of(asked)
    async with PageClient(app) as national:
        await _sign_in(national, "NATIONAL", name="Nia National", email="nia@england.example.nhs.uk")
        assert "Gil GP asked the network" in text_of(await national.get("/notifications"))
        assert "Who audits warfarin monitoring" in text_of(await national.get("/questions"))


async def test_unsubscribe_works_without_signing_in_and_dev_mail_shows_what_was_written(
        settings: Any, network: Graph, gql: Any, tokens: Any) -> None:
    app = create_app(settings, graph=network)
    person = gql.as_(tokens("LEAD", collaborative="KSS", email="kim@kss.example.nhs.uk", name="Kim", subject="kim-unsub"))
    await person.data("""mutation { follow(kind: COLLABORATIVE, target: "KSS", delivery: NOW) { errors { code } } }""")
    token = unsubscribe_token(session_secret(settings), "kim-unsub")
    async with PageClient(app) as anyone:
        assert (await anyone.get("/unsubscribe", params={"token": token + "x"})).status_code == 400
        page = await anyone.get("/unsubscribe", params={"token": token})
        assert "Stop all e-mails from this service?" in text_of(page)
        done = await anyone.post(f"/unsubscribe?token={token}", {}, csrf=False)  # a mail client's one-click POST
        assert done.status_code == 200 and "You will get no more e-mails" in text_of(done)
    me = (await person.data("{ me { askedDelivery answeredDelivery follows { delivery } } }"))["me"]
    assert me == {"askedDelivery": "PAGE", "answeredDelivery": "PAGE", "follows": [{"delivery": "PAGE"}]}

    from collab_api.mail.worker import deliver_once

    await gql.data("""mutation { publishIntervention(input: {title: "A KSS test for dev mail", collaborative: "KSS",
        summary: "Shown at /dev/mail.", harmArea: "Falls", careSettings: [CARE_HOME], status: TESTING}) { errors { message } } }""")
    other = gql.as_(tokens("LEAD", collaborative="KSS", email="lee@kss.example.nhs.uk", name="Lee", subject="lee-devmail"))
    await other.data("""mutation { follow(kind: HARM_AREA, target: "falls", delivery: NOW) { errors { code } } }""")
    await gql.data("""mutation { publishIntervention(input: {title: "Another falls test for dev mail", collaborative: "KSS",
        summary: "Shown at /dev/mail too.", harmArea: "Falls", careSettings: [CARE_HOME], status: TESTING}) { errors { message } } }""")
    development = settings.model_copy(update={"env": "development", "smtp_host": None})
    counts = await deliver_once(network, development, "secret")
    assert counts is not None and counts["sent"] >= 1
    async with PageClient(create_app(development, graph=network)) as developer:
        mail = await developer.get("/dev/mail")
        assert "A new intervention" in text_of(mail) and "Another falls test for dev mail" in text_of(mail)


async def test_the_atom_feeds_validate(settings: Any, network: Graph) -> None:
    async with PageClient(create_app(settings, graph=network)) as reader:
        overall = await reader.get("/feeds/interventions.atom")
        falls = await reader.get("/feeds/interventions.atom", params={"harmArea": "falls"})
        kss = await reader.get("/feeds/interventions.atom", params={"collaborative": "kss"})
    for response in (overall, falls, kss):
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.content)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == "atom10" and parsed.entries
        root = ET.fromstring(response.content)  # RFC 4287: feed and entries each have id, title, updated; a self link
        for element in (root, *root.findall(f"{ATOM}entry")):
            for name in ("id", "title", "updated"):
                assert element.find(f"{ATOM}{name}") is not None and (element.find(f"{ATOM}{name}").text or "").strip()
        assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
        assert all(entry.find(f"{ATOM}link").get("href").startswith("http") for entry in root.findall(f"{ATOM}entry"))
    assert {e.tags[0].term.lower() for e in feedparser.parse(falls.content).entries} == {"falls"}
    assert len(feedparser.parse(kss.content).entries) < len(feedparser.parse(overall.content).entries)
