"""Following what matters to you (an intervention, a priority, a harm area, a collaborative, an
organisation), choosing how each reaches you, reading your notifications, and stopping e-mail."""

from __future__ import annotations

from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import Problems
from collab_api.domain.learning_loop import DEFAULT_DELIVERY, FOLLOW_DEFAULT, clean_delivery, clean_follow
from collab_api.domain.learning_rows import FollowRow, NotificationRow, PersonRow
from collab_api.domain.permissions import Actor, require_signed_in
from collab_api.graph import notifications as notification_graph
from collab_api.usecases.audit import audit


def person_of(actor: Actor) -> dict[str, Any]:
    return {"subject": actor.subject, "name": actor.name, "email": actor.email, "role": actor.role.value,
            "organisation": actor.organisation, "collaborative": actor.collaborative}


async def remember(graph: Graph, actor: Actor) -> None:
    """Keep the signed-in person (name and e-mail from their sign-in), so that what they follow
    and what is asked of their organisation reaches them."""
    require_signed_in(actor, "be remembered")
    await notification_graph.save_person(graph, person_of(actor))


async def follow(graph: Graph, kind: str | None, target: str | None, delivery: str | None, actor: Actor) -> FollowRow:
    require_signed_in(actor, "follow something")
    problems = Problems()
    kind, target = clean_follow(problems, kind, target)
    chosen = clean_delivery(problems, delivery or FOLLOW_DEFAULT)
    problems.raise_if_any()

    async def work(tx: Tx) -> FollowRow:
        await notification_graph.save_person(tx, person_of(actor))
        await notification_graph.follow(tx, actor.subject or "", kind, target, chosen)
        await audit(tx, actor, "follow", [], f"follows {kind.lower().replace('_', ' ')} {target} ({chosen.lower()})")
        return next(f for f in await notification_graph.follows_of(tx, actor.subject or "") if (f["kind"], f["target"]) == (kind, target))

    return await graph.write_tx(work)


async def unfollow(graph: Graph, kind: str | None, target: str | None, actor: Actor) -> bool:
    require_signed_in(actor, "stop following something")
    problems = Problems()
    kind, target = clean_follow(problems, kind, target)
    problems.raise_if_any()

    async def work(tx: Tx) -> bool:
        stopped = await notification_graph.unfollow(tx, actor.subject or "", kind, target)
        if stopped:
            await audit(tx, actor, "unfollow", [], f"stopped following {kind.lower().replace('_', ' ')} {target}")
        return stopped

    return await graph.write_tx(work)


async def set_deliveries(graph: Graph, asked: str | None, answered: str | None, actor: Actor) -> PersonRow:
    """How a question put to you, and an answer to your own question, reach you."""
    require_signed_in(actor, "choose how notifications reach you")
    problems = Problems()
    asked = clean_delivery(problems, asked or DEFAULT_DELIVERY["ASKED_YOU"])
    answered = clean_delivery(problems, answered or DEFAULT_DELIVERY["ANSWERED_YOU"])
    problems.raise_if_any()

    async def work(tx: Tx) -> PersonRow:
        await notification_graph.save_person(tx, person_of(actor))
        await notification_graph.set_deliveries(tx, actor.subject or "", asked, answered)
        person = await notification_graph.person(tx, actor.subject or "")
        assert person is not None
        return person

    return await graph.write_tx(work)


async def mark_read(graph: Graph, keys: list[str] | None, actor: Actor) -> int:
    require_signed_in(actor, "read notifications")
    return await graph.write_tx(lambda tx: notification_graph.mark_read(tx, actor.subject or "", keys))


async def notifications(graph: Graph, actor: Actor, limit: int = 100) -> list[NotificationRow]:
    require_signed_in(actor, "read notifications")
    return await notification_graph.notifications_of(graph, actor.subject or "", limit)


async def stop_mail(graph: Graph, actor: Actor) -> None:
    """Nothing more by e-mail (the unsubscribe link, its signed token standing for the person)."""
    require_signed_in(actor, "stop e-mail")

    async def work(tx: Tx) -> None:
        await notification_graph.stop_mail(tx, actor.subject or "")
        await audit(tx, actor, "stopEmail", [], "stopped all e-mail (unsubscribed)")

    await graph.write_tx(work)
