"""The learning loop through the API and a real SMTP server on the loopback (aiosmtpd): a
provider asks on an intervention; an adopter at stage 5 is told on their notifications and by
e-mail; the answer notifies the asker; a week's events come in one summary per person; a mail
server that stops during delivery loses nothing and sends nothing twice."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from collab_api.db.graph import Graph
from collab_api.mail.sender import SmtpSender
from collab_api.mail.worker import composer
from collab_api.usecases import mailing

pytestmark = pytest.mark.usefixtures("network")
NEWS2 = "news2-deterioration"
ME = """{ me { name unreadCount askedDelivery follows { kind target delivery }
              notifications { event title text link read delivery } } }"""
ASK = """mutation($input: AskQuestionInput!) { askQuestion(input: $input) { errors { field code message }
    question { id text askedBy about answerCount } } }"""
ANSWER = """mutation($input: AnswerQuestionInput!) { answerQuestion(input: $input) { errors { field code message }
    question { id answerCount answers { totalCount nodes { text answeredBy helpful mine } } } } }"""
ADOPT = """mutation($o: String!, $stage: Int!) { recordAdoption(input: {organisation: $o, intervention: "news2-deterioration",
    stage: $stage, quarter: "2026/27 Q2", observedOn: "2026-08-15"}) { errors { field message } } }"""


class Inbox:
    """An SMTP server's delivered messages."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[tuple[Inbox, Any]]:
    inbox, port = Inbox(), _free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                                "smtp_timeout": 5.0, "public_url": "https://collab.example.nhs.uk"})
    try:
        yield inbox, (server, mail_settings, port)
    finally:
        with contextlib.suppress(AssertionError):  # a test may have stopped it already
            server.stop()


async def _deliver(graph: Graph, mail_settings: Any, now: dt.datetime | None = None) -> dict[str, int]:
    return await mailing.deliver(graph, SmtpSender(mail_settings), composer(mail_settings, "test-secret"), now=now)


def _body(message: Message) -> str:
    part = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


async def test_a_question_reaches_the_adopter_by_page_and_e_mail_and_the_answer_reaches_the_asker(
        gql: Any, tokens: Any, network: Graph, smtp: Any) -> None:
    inbox, (_, mail_settings, _) = smtp
    assert (await gql.data(ADOPT, {"o": "Z09", "stage": 5}))["recordAdoption"]["errors"] == []
    adopter = gql.as_(tokens("PROVIDER", organisation="Z09", email="ward.manager@z09.example.nhs.uk", name="Ada Ward"))
    assert (await adopter.data("mutation { rememberMe { errors { message } } }"))["rememberMe"]["errors"] == []
    asker = gql.as_(tokens("PROVIDER", organisation="ZC001", email="home.manager@zc001.example.nhs.uk", name="Cal Home"))
    asked = (await asker.data(ASK, {"input": {"about": "INTERVENTION", "id": NEWS2,
                                              "text": "How did you train night staff to escalate a score of 5?"}}))["askQuestion"]
    assert asked["errors"] == [] and asked["question"]["askedBy"] == "Cal Home"
    question = asked["question"]["id"]

    mine = (await adopter.data(ME))["me"]
    [told] = [n for n in mine["notifications"] if n["event"] == "ASKED_YOU"]
    assert told["link"] == f"/questions/{question}" and "Cal Home asked about" in told["text"] and told["delivery"] == "NOW"
    assert mine["unreadCount"] >= 1
    sent = await _deliver(network, mail_settings)
    assert sent["sent"] >= 1 and sent["retry"] == 0
    [mail] = inbox.to("ward.manager@z09.example.nhs.uk")
    assert mail["Subject"].startswith("A question for you") and "night staff" in _body(mail)
    assert f"https://collab.example.nhs.uk/questions/{question}" in _body(mail)
    assert "https://collab.example.nhs.uk/unsubscribe?token=" in mail["List-Unsubscribe"]

    answered = (await adopter.data(ANSWER, {"input": {"question": question, "text": "A ten-minute huddle card at handover."}}))
    answers = answered["answerQuestion"]["question"]["answers"]
    assert answers["totalCount"] == 1 and answers["nodes"][0]["answeredBy"] == "Ada Ward" and answers["nodes"][0]["mine"]
    theirs = (await asker.data(ME))["me"]["notifications"]
    assert [n["event"] for n in theirs if n["event"] == "ANSWERED_YOU"] == ["ANSWERED_YOU"]
    await _deliver(network, mail_settings)
    [reply] = inbox.to("home.manager@zc001.example.nhs.uk")
    assert reply["Subject"].startswith("An answer to your question") and "huddle card" in _body(reply)
    assert len(inbox.to("ward.manager@z09.example.nhs.uk")) == 1, "nothing is sent twice"

    anonymous = await gql.as_(None).data("""query($id: ID!) { question(id: $id) { text answerCount } }""", {"id": question})
    assert anonymous["question"] == {"text": None, "answerCount": 1}, "anonymous readers see that it exists, and how many"
    helpful = await asker.data("""mutation($a: ID!) { markAnswerHelpful(answer: $a) { errors { code }
        question { answers { nodes { helpful } } } } }""", {"a": (await network.read(
        "MATCH (a:Answer)-[:ANSWERS]->(:Question {id: $q}) RETURN a.id AS id", {"q": question}))[0]["id"]})
    assert helpful["markAnswerHelpful"]["question"]["answers"]["nodes"] == [{"helpful": True}]


async def test_refusals_and_the_guard(gql: Any, tokens: Any) -> None:
    asker = gql.as_(tokens("PROVIDER", organisation="ZC002"))
    patient = (await asker.data(ASK, {"input": {"about": "INTERVENTION", "id": NEWS2,
                                                "text": "Patient 943 476 5919 fell; what did you do?"}}))["askQuestion"]
    assert [e["code"] for e in patient["errors"]] == ["PATIENT_IDENTIFIER"] and "5919" not in patient["errors"][0]["message"]
    missing = (await asker.data(ASK, {"input": {"about": "INTERVENTION", "id": "no-such", "text": "Anyone?"}}))["askQuestion"]
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    anonymous = await gql.as_(None)(ASK, {"input": {"about": "INTERVENTION", "id": NEWS2, "text": "Hello"}})
    assert anonymous["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")
    asked = (await asker.data(ASK, {"input": {"about": "INTERVENTION", "id": NEWS2, "text": "First try"}}))["askQuestion"]
    other = gql.as_(tokens("PROVIDER", organisation="ZC003"))
    edit = """mutation($id: ID!, $t: String!) { editQuestion(id: $id, text: $t) { errors { code } question { text } } }"""
    refused = await other(edit, {"id": asked["question"]["id"], "t": "Hijacked"})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mine = (await asker.data(edit, {"id": asked["question"]["id"], "t": "What score do you escalate at?"}))["editQuestion"]
    assert mine["question"]["text"] == "What score do you escalate at?"
    redact = """mutation($id: ID!) { redactQuestion(id: $id, reason: "Named a member of staff") { errors { code } id } }"""
    assert (await other(redact, {"id": asked["question"]["id"]}))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await gql.data(redact, {"id": asked["question"]["id"]}))["redactQuestion"]["errors"] == []
    read = await asker.data("""query($id: ID!) { question(id: $id) { text redacted } }""", {"id": asked["question"]["id"]})
    assert read["question"] == {"text": "[redacted]", "redacted": True}


async def test_a_mail_server_that_stops_loses_nothing_and_sends_nothing_twice(
        gql: Any, tokens: Any, network: Graph, smtp: Any) -> None:
    inbox, (server, mail_settings, port) = smtp
    asker = gql.as_(tokens("PROVIDER", organisation="ZC004", email="asker@zc004.example.nhs.uk", name="Asker Four"))
    adopter = gql.as_(tokens("PROVIDER", organisation="Z09", email="ward.manager@z09.example.nhs.uk", name="Ada Ward"))
    await adopter.data("mutation { rememberMe { errors { message } } }")
    await gql.data(ADOPT, {"o": "Z09", "stage": 5})
    await _deliver(network, mail_settings)  # whatever earlier tests left
    before = len(inbox.messages)
    server.stop()
    for n in range(3):
        asked = await asker.data(ASK, {"input": {"about": "INTERVENTION", "id": NEWS2, "text": f"Question {n} while the server is down"}})
        assert asked["askQuestion"]["errors"] == []
    down = await _deliver(network, mail_settings)
    assert down["sent"] == 0 and down["retry"] >= 3
    again = await _deliver(network, mail_settings)
    assert again["sent"] == 0 and again["retry"] == 0, "not tried again before its back-off"
    restarted = Controller(inbox, hostname="127.0.0.1", port=port)
    restarted.start()
    try:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
        up = await _deliver(network, mail_settings, later)
        assert up["sent"] == down["retry"]
        assert (await _deliver(network, mail_settings, later + dt.timedelta(hours=2)))["sent"] == 0
    finally:
        restarted.stop()
    arrived = inbox.messages[before:]
    assert len(arrived) == down["retry"]
    assert len({m["Message-ID"] for m in arrived}) == len(arrived), "each message once"
    bodies = [_body(m) for m in arrived]
    for n in range(3):
        assert any(f"Question {n} while the server is down" in body for body in bodies), "nothing lost"


async def test_a_weeks_events_come_in_one_summary_per_person(gql: Any, tokens: Any, network: Graph, smtp: Any) -> None:
    inbox, (_, mail_settings, _) = smtp
    follower = gql.as_(tokens("LEAD", collaborative="KSS", email="lead@kss.example.nhs.uk", name="Kay Lead", subject="kay"))
    follow = """mutation($k: FollowKind!, $t: String!) { follow(kind: $k, target: $t) { errors { code } follow { delivery } } }"""
    assert (await follower.data(follow, {"k": "INTERVENTION", "t": NEWS2}))["follow"]["follow"]["delivery"] == "WEEKLY"
    assert (await follower.data(follow, {"k": "HARM_AREA", "t": "deterioration"}))["follow"]["errors"] == []
    update = """mutation { updateIntervention(id: "news2-deterioration", input: {tags: ["NEWS2", "weekly summary test"]}) {
        errors { message } version } }"""
    assert (await gql.data(update))["updateIntervention"]["errors"] == []
    await gql.data(ADOPT, {"o": "Z10", "stage": 2})
    events = {n["event"] for n in (await follower.data(ME))["me"]["notifications"]}
    assert "NEW_VERSION" in events
    await _deliver(network, mail_settings)
    assert inbox.to("lead@kss.example.nhs.uk") == [], "a weekly summary waits for the week's end"
    next_week = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    summary = await _deliver(network, mail_settings, next_week)
    assert summary["digests"] >= 1
    [mail] = inbox.to("lead@kss.example.nhs.uk")
    assert mail["Subject"].startswith("Your weekly summary") and "has a new version" in _body(mail)
    await _deliver(network, mail_settings, next_week + dt.timedelta(days=1))
    assert len(inbox.to("lead@kss.example.nhs.uk")) == 1, "one summary, once"


async def test_the_first_adopter_in_a_region_tells_the_followers_and_a_later_one_does_not(gql: Any, tokens: Any,
                                                                                           network: Graph) -> None:
    """Whether anyone else in the region adopted it comes from the intervention's kept reach."""
    rows = await network.read("""
        MATCH (c:Collaborative)-[:COVERS]->(:ICB)<-[:IN_ICB]-(o:Organisation {kind: 'TRUST'})
        WHERE NOT EXISTS { MATCH (c)-[:COVERS]->(:ICB)<-[:IN_ICB]-(:Organisation)-[:ADOPTED]->(a:Adoption)
                           WHERE a.interventionId = 'news2-deterioration' }
        WITH c, collect(o.odsCode) AS trusts WHERE size(trusts) >= 2
        RETURN c.name AS region, trusts[0] AS first, trusts[1] AS second ORDER BY region LIMIT 2""")
    assert len(rows) == 2, "two regions where nobody has adopted NEWS2 yet, with two trusts each"
    follower = gql.as_(tokens("NATIONAL", subject="region-watcher", email="watcher@example.nhs.uk"))

    async def reached(region: str) -> list[str]:
        return [n["text"] for n in (await follower.data(ME))["me"]["notifications"]
                if n["event"] == "NEW_REGION" and region in n["text"]]

    # the first adopter in one region, before anyone follows; then a second one there: not news of the region
    assert (await gql.data(ADOPT, {"o": rows[0]["first"], "stage": 2}))["recordAdoption"]["errors"] == []
    follow = """mutation { follow(kind: INTERVENTION, target: "news2-deterioration") { errors { code } } }"""
    assert (await follower.data(follow))["follow"]["errors"] == []
    assert (await gql.data(ADOPT, {"o": rows[0]["second"], "stage": 3}))["recordAdoption"]["errors"] == []
    assert await reached(rows[0]["region"]) == []
    # the first in another region is
    assert (await gql.data(ADOPT, {"o": rows[1]["first"], "stage": 2}))["recordAdoption"]["errors"] == []
    [told] = await reached(rows[1]["region"])
    name = (await network.read("MATCH (o:Organisation {odsCode: $c}) RETURN o.name AS n", {"c": rows[1]["first"]}))[0]["n"]
    assert name in told
