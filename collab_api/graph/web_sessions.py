"""Graph access for the pages' sign-in sessions: `WebSession {id, subject, expiresAt}`, one per
sign-in, deleted at sign-out, so that a copied cookie ends with the session it belonged to.
`id` is a random token kept in the signed cookie; `expiresAt` is seconds since the epoch."""

from __future__ import annotations

from collab_api.db.graph import Graph, Runner


async def start(runner: Runner, session_id: str, subject: str, expires_at: float, now: float) -> None:
    """Record a new session, and forget those that have expired."""
    await runner.write("MATCH (s:WebSession) WHERE s.expiresAt < $now DELETE s", {"now": now})
    await runner.write("CREATE (:WebSession {id: $id, subject: $subject, expiresAt: $expires})",
                       {"id": session_id, "subject": subject, "expires": expires_at})


async def is_live(graph: Graph, session_id: str, now: float) -> bool:
    rows = await graph.read("MATCH (s:WebSession {id: $id}) WHERE s.expiresAt >= $now RETURN s.id AS id",
                            {"id": session_id, "now": now})
    return bool(rows)


async def end(runner: Runner, session_id: str) -> None:
    await runner.write("MATCH (s:WebSession {id: $id}) DELETE s", {"id": session_id})
