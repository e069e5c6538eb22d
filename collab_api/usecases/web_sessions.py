"""Sign-in sessions of the pages, kept server-side: a session is live from sign-in until it
expires or its owner signs out (one transaction each)."""

from __future__ import annotations

import secrets
import time

from collab_api.db.graph import Graph
from collab_api.graph import web_sessions as session_graph


async def start_session(graph: Graph, subject: str, expires_at: float) -> str:
    """A new session's id (random, 256 bits)."""
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    await graph.write_tx(lambda tx: session_graph.start(tx, session_id, subject, expires_at, now))
    return session_id


async def session_is_live(graph: Graph, session_id: str) -> bool:
    return await session_graph.is_live(graph, session_id, time.time())


async def end_session(graph: Graph, session_id: str) -> None:
    await session_graph.end(graph, session_id)
