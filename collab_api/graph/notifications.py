"""Graph access for people, what they follow, their notifications and the e-mail outbox.

(:Person {subject, name, email, role, organisation, collaborative, askedDelivery, answeredDelivery})
(:Person)-[:FOLLOWS]->(:Follow {key, kind, target, delivery, since})
(:Person)-[:NOTIFIED]->(:Notification {key, event, text, link, subject, delivery, createdAt, readAt,
    mail: NONE | PENDING | SENDING | SENT | DIGEST | IN_DIGEST, attempts, nextAttemptAt, sentAt, lastError})
(:Person)-[:SUMMARISED]->(:Digest {key, subject, weekStart, mail, attempts, nextAttemptAt, sentAt})-[:COLLECTS]->(:Notification)

A notification is written by the transaction of the change that causes it (the outbox), once
per event and person (its key): none is lost, none is written twice.
"""

from __future__ import annotations

import json

from typing import Any

from collab_api.db.graph import Runner, Tx
from collab_api.domain.spread_tally import adopters_by_region
from collab_api.domain.learning_rows import FollowRow, MailRow, NotificationRow, PersonRow, Recipient
from collab_api.graph.common import shaped, shaped_all

PERSON = "{.subject, .name, .email, .role, .organisation, .collaborative, .askedDelivery, .answeredDelivery}"
NOTIFICATION = "{.key, .event, .text, .link, .createdAt, .readAt, .delivery}"
STALE_CLAIM_MINUTES = 10  # a mail claimed by a worker that then stopped is taken up again after this


async def save_person(runner: Runner, person: dict[str, Any]) -> None:
    """Keep who signed in, with their name and e-mail from the identity provider (kept as last given)."""
    await runner.write("""
        MERGE (p:Person {subject: $p.subject})
        SET p.role = $p.role, p.organisation = $p.organisation, p.collaborative = $p.collaborative,
            p.name = coalesce($p.name, p.name), p.email = coalesce($p.email, p.email), p.seenAt = datetime()""",
        {"p": person})


async def save_contacts(tx: Tx, contacts: list[dict[str, Any]]) -> None:
    """People reached only by e-mail (an adoption's consenting contact): a Person of their own."""
    await tx.run("""
        UNWIND $contacts AS c
        MERGE (p:Person {subject: c.subject})
        ON CREATE SET p.role = 'CONTACT', p.name = c.name, p.email = c.email, p.organisation = c.organisation""",
        {"contacts": contacts})


async def person(runner: Runner, subject: str) -> PersonRow | None:
    rows = await runner.read(f"MATCH (p:Person {{subject: $s}}) RETURN p {PERSON} AS p", {"s": subject})
    return shaped(PersonRow, rows[0]["p"]) if rows else None


async def asked_deliveries(tx: Tx, subjects: list[str]) -> dict[str, str | None]:
    """How a question put to each of these people reaches them (None: their default), in one query."""
    rows = await tx.run("UNWIND $subjects AS s MATCH (p:Person {subject: s}) RETURN s AS subject, p.askedDelivery AS delivery",
                        {"subjects": subjects})
    return {str(row["subject"]): row["delivery"] for row in rows}


async def set_deliveries(tx: Tx, subject: str, asked: str, answered: str) -> None:
    await tx.run("MATCH (p:Person {subject: $s}) SET p.askedDelivery = $asked, p.answeredDelivery = $answered",
                 {"s": subject, "asked": asked, "answered": answered})


async def stop_mail(tx: Tx, subject: str) -> None:
    """Unsubscribe: nothing more by e-mail (every follow and default to the page only)."""
    await tx.run("""
        MATCH (p:Person {subject: $s})
        SET p.askedDelivery = 'PAGE', p.answeredDelivery = 'PAGE'
        WITH p
        OPTIONAL MATCH (p)-[:FOLLOWS]->(f:Follow)
        SET f.delivery = 'PAGE'""", {"s": subject})


async def follow(tx: Tx, subject: str, kind: str, target: str, delivery: str) -> None:
    await tx.run("""
        MATCH (p:Person {subject: $s})
        MERGE (p)-[:FOLLOWS]->(f:Follow {key: $s + '|' + $kind + '|' + $target})
        ON CREATE SET f.kind = $kind, f.target = $target, f.since = datetime()
        SET f.delivery = $delivery""", {"s": subject, "kind": kind, "target": target, "delivery": delivery})


async def unfollow(tx: Tx, subject: str, kind: str, target: str) -> bool:
    rows = await tx.run("""
        MATCH (:Person {subject: $s})-[:FOLLOWS]->(f:Follow {key: $s + '|' + $kind + '|' + $target})
        DETACH DELETE f RETURN count(*) AS n""", {"s": subject, "kind": kind, "target": target})
    return bool(rows and rows[0]["n"])


async def follows_of(runner: Runner, subject: str) -> list[FollowRow]:
    rows = await runner.read("""
        MATCH (:Person {subject: $s})-[:FOLLOWS]->(f:Follow)
        RETURN f {.kind, .target, .delivery, .since} AS f ORDER BY f.since DESC""", {"s": subject})
    return shaped_all(FollowRow, [row["f"] for row in rows])


async def followers(tx: Tx, targets: list[dict[str, str]], *, like_kind: str | None = None) -> list[Recipient]:
    """Who follows any of the targets ({kind, target}; a harm area compared in lower case), each
    once with the most immediate delivery they chose; with `like_kind`, only people of an
    organisation of that kind (a new adopter like them)."""
    rows = await tx.run("""
        UNWIND $targets AS t
        MATCH (p:Person)-[:FOLLOWS]->(f:Follow {kind: t.kind})
        WHERE (t.kind = 'HARM_AREA' AND toLower(f.target) = toLower(t.target)) OR f.target = t.target
        OPTIONAL MATCH (o:Organisation {odsCode: p.organisation})
        WITH p, f, o WHERE $like IS NULL OR o.kind = $like
        RETURN p.subject AS subject, collect(f.delivery) AS deliveries""", {"targets": targets, "like": like_kind})
    order = ("NOW", "WEEKLY", "PAGE")
    return [{"subject": row["subject"], "delivery": min(row["deliveries"], key=order.index)} for row in rows]


async def invited_to_answer(tx: Tx, intervention: str) -> dict[str, Any]:
    """Who may answer a question on an intervention: the people signed in for the organisation
    that developed it, its collaborative's leads, and the people of organisations at stage 1 or
    above (a site's trust too); and the adoptions' contacts who agreed to be asked."""
    row = await tx.single("""
        MATCH (i:Intervention {id: $id})
        OPTIONAL MATCH (i)-[:ORIGINATED_AT]->(origin:Organisation)
        OPTIONAL MATCH (i)-[:ORIGINATED_IN]->(c:Collaborative)
        WITH i, collect(DISTINCT origin.odsCode) AS origins, collect(DISTINCT c.code) AS regions
        OPTIONAL MATCH (o:Organisation)-[:ADOPTED]->(a:Adoption {interventionId: $id}) WHERE coalesce(a.currentStage, 0) >= 1
        OPTIONAL MATCH (o)<-[:HAS_SITE]-(t:Organisation)
        WITH origins, regions, collect(DISTINCT o.odsCode) + collect(DISTINCT t.odsCode) AS adopters,
             collect(DISTINCT CASE WHEN a.contact IS NOT NULL THEN [o.odsCode, a.contact] END) AS contacts
        OPTIONAL MATCH (p:Person)
        WHERE (p.role = 'PROVIDER' AND (p.organisation IN origins OR p.organisation IN adopters))
           OR (p.role = 'LEAD' AND p.collaborative IN regions)
        RETURN collect(DISTINCT p.subject) AS people, contacts""", {"id": intervention})
    return {"people": row["people"] if row else [], "contacts": row["contacts"] if row else []}


async def leads_and_national(tx: Tx, collaboratives: list[str]) -> list[str]:
    rows = await tx.run("""
        MATCH (p:Person) WHERE p.role = 'NATIONAL' OR (p.role = 'LEAD' AND p.collaborative IN $codes)
        RETURN p.subject AS subject""", {"codes": collaboratives})
    return [str(row["subject"]) for row in rows]


async def adoption_news(tx: Tx, organisation: str, intervention: str) -> dict[str, Any] | None:
    """An adopter's kind and name, the intervention's title, and the regions (collaboratives) it
    is the first adopter in, for the notifications a new adoption makes. Whether anyone else in
    the region has adopted it is read from the intervention's kept reach (organisations with a
    current stage, by collaborative; this write's own already counted), not by visiting the
    region's organisations: in ArcadeDB that costs tens of milliseconds for a busy intervention."""
    row = await tx.single("""
        // the adoption filtered, not matched by its interventionId: ArcadeDB would start from every adoption of it
        MATCH (o:Organisation {odsCode: $org})-[:ADOPTED]->(a:Adoption)-[:OF]->(i:Intervention) WHERE a.interventionId = $id
        WITH DISTINCT o, i
        OPTIONAL MATCH (o)-[:IN_ICB]->(:ICB)<-[:COVERS]-(c:Collaborative)
        WITH o, i, collect(DISTINCT c {.code, .name}) AS regions,
             size([(o)-[:ADOPTED]->(own:Adoption) WHERE own.interventionId = $id AND own.currentStage IS NOT NULL | 1]) > 0
                 AS counted
        RETURN o.kind AS kind, o.name AS name, i.title AS title, i.reachSplits AS reachSplits, regions, counted""",
        {"org": organisation, "id": intervention})
    if row is None:
        return None
    by_region = adopters_by_region(json.loads(row["reachSplits"] or "{}"))
    first_in = [{"code": region["code"], "name": region["name"]} for region in row["regions"]
                if by_region.get(region["code"], 0) - (1 if row["counted"] else 0) <= 0]
    return {"kind": row["kind"], "name": row["name"], "title": row["title"], "firstIn": first_in}


async def notify(tx: Tx, event: dict[str, Any], recipients: list[Recipient]) -> None:
    """Write one notification per recipient (never twice for the same event and person), marked
    for e-mail at once, for the weekly summary, or for the page only."""
    if not recipients:
        return
    await tx.run("""
        UNWIND $recipients AS r
        MATCH (p:Person {subject: r.subject})
        MERGE (n:Notification {key: $event.key + '|' + r.subject})
        ON CREATE SET n.event = $event.event, n.text = $event.text, n.link = $event.link, n.subject = r.subject,
            n.delivery = r.delivery, n.createdAt = datetime(), n.attempts = 0,
            n.mail = CASE WHEN p.email IS NULL OR r.delivery = 'PAGE' THEN 'NONE'
                          WHEN r.delivery = 'NOW' THEN 'PENDING' ELSE 'DIGEST' END
        MERGE (p)-[:NOTIFIED]->(n)""", {"event": event, "recipients": recipients})


async def notifications_of(runner: Runner, subject: str, limit: int = 100) -> list[NotificationRow]:
    """A person's notifications, unread first, newest first within each."""
    rows = await runner.read(f"""
        MATCH (:Person {{subject: $s}})-[:NOTIFIED]->(n:Notification)
        WITH n ORDER BY CASE WHEN n.readAt IS NULL THEN 0 ELSE 1 END, n.createdAt DESC LIMIT $limit
        RETURN n {NOTIFICATION} AS n""", {"s": subject, "limit": limit})
    return shaped_all(NotificationRow, [row["n"] for row in rows])


async def unread_count(runner: Runner, subject: str) -> int:
    rows = await runner.read("""
        MATCH (:Person {subject: $s})-[:NOTIFIED]->(n:Notification) WHERE n.readAt IS NULL
        RETURN count(n) AS n""", {"s": subject})
    return int(rows[0]["n"]) if rows else 0


async def mark_read(tx: Tx, subject: str, keys: list[str] | None) -> int:
    rows = await tx.run("""
        MATCH (:Person {subject: $s})-[:NOTIFIED]->(n:Notification)
        WHERE n.readAt IS NULL AND ($keys IS NULL OR n.key IN $keys)
        SET n.readAt = datetime() RETURN count(n) AS n""", {"s": subject, "keys": keys})
    return int(rows[0]["n"]) if rows else 0


async def redact_notifications(tx: Tx, text: str, marker: str) -> None:
    """A redacted text leaves the notifications (and so the e-mails not yet sent) that quoted it."""
    await tx.run("""
        MATCH (n:Notification) WHERE n.text CONTAINS $text
        SET n.text = replace(n.text, $text, $marker)""", {"text": text, "marker": marker})


async def collect_digests(tx: Tx, before: str, week_start: str) -> int:
    """Gather each person's notifications for the weekly summary made before `before` into one
    digest per person (keyed by the week it is sent in, so a summary is made once)."""
    rows = await tx.run("""
        MATCH (p:Person)-[:NOTIFIED]->(n:Notification {mail: 'DIGEST'}) WHERE n.createdAt < datetime($before)
        WITH p, collect(n) AS items
        MERGE (d:Digest {key: p.subject + '|' + $week})
        ON CREATE SET d.subject = p.subject, d.weekStart = date($week), d.mail = 'PENDING', d.attempts = 0
        MERGE (p)-[:SUMMARISED]->(d)
        WITH d, items
        UNWIND items AS n
        MERGE (d)-[:COLLECTS]->(n)
        SET n.mail = 'IN_DIGEST'
        RETURN count(DISTINCT d) AS digests""", {"before": before, "week": week_start})
    return int(rows[0]["digests"]) if rows else 0


async def claim_mails(tx: Tx, now: str, limit: int) -> list[MailRow]:
    """Take the e-mails due (never tried, or tried and due again, or claimed by a worker that
    stopped long ago), marking them SENDING in this transaction so no other worker takes them."""
    rows = await tx.run("""
        CALL () {
            MATCH (p:Person)-[:NOTIFIED]->(n:Notification)
            WHERE (n.mail = 'PENDING' AND (n.nextAttemptAt IS NULL OR n.nextAttemptAt <= datetime($now)))
               OR (n.mail = 'SENDING' AND n.claimedAt < datetime($now) - duration({minutes: $stale}))
            RETURN n AS record, 'NOTIFICATION' AS kind, p, [n] AS items
            UNION
            MATCH (p:Person)-[:SUMMARISED]->(d:Digest)
            WHERE (d.mail = 'PENDING' AND (d.nextAttemptAt IS NULL OR d.nextAttemptAt <= datetime($now)))
               OR (d.mail = 'SENDING' AND d.claimedAt < datetime($now) - duration({minutes: $stale}))
            RETURN d AS record, 'DIGEST' AS kind, p, [(d)-[:COLLECTS]->(n:Notification) | n] AS items
        }
        WITH record, kind, p, items LIMIT $limit
        SET record.mail = 'SENDING', record.claimedAt = datetime($now)
        RETURN record.key AS key, kind, p.subject AS recipient, p.email AS to, p.name AS name,
               coalesce(record.attempts, 0) AS attempts,
               CASE kind WHEN 'DIGEST' THEN 'digest' ELSE record.event END AS subject,
               [n IN items | n {.key, .event, .text, .link, .createdAt, .readAt, .delivery}] AS items""",
        {"now": now, "limit": limit, "stale": STALE_CLAIM_MINUTES})
    return shaped_all(MailRow, rows)


async def mail_sent(tx: Tx, kind: str, key: str, at: str) -> None:
    label = "Digest" if kind == "DIGEST" else "Notification"
    await tx.run(f"MATCH (r:{label} {{key: $key}}) SET r.mail = 'SENT', r.sentAt = datetime($at), r.lastError = null",
                 {"key": key, "at": at})


async def mail_failed(tx: Tx, kind: str, key: str, next_at: str, error: str) -> None:
    label = "Digest" if kind == "DIGEST" else "Notification"
    await tx.run(f"""
        MATCH (r:{label} {{key: $key}})
        SET r.mail = 'PENDING', r.attempts = coalesce(r.attempts, 0) + 1, r.nextAttemptAt = datetime($next),
            r.lastError = $error""", {"key": key, "next": next_at, "error": error[:300]})
