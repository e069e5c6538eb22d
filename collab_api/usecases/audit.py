"""Recording who did what, in the same transaction as the write itself."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from collab_api.db.graph import Tx
from collab_api.domain.permissions import Actor
from collab_api.graph import audit as audit_graph


async def audit(tx: Tx, actor: Actor, operation: str, entities: list[tuple[str, str]], summary: str | None = None) -> None:
    """Ids sort by time, so that the newest-first listing can page by id."""
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    event: dict[str, Any] = {"id": f"{now}-{secrets.token_hex(4)}", "operation": operation, "summary": summary, **actor.audit()}
    await audit_graph.record(tx, event, entities)
