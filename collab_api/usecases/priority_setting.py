"""A collaborative sets, updates and retires its own priorities."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import Problems
from collab_api.usecases.audit import audit
from collab_api.domain.permissions import ANONYMOUS, Actor, require_collaborative, require_signed_in, visibility
from collab_api.domain.rows import PriorityRow
from collab_api.domain.text import LONG, SHORT, TITLE, check_text
from collab_api.graph import priorities as priority_graph
from collab_api.graph import search as search_graph


async def set_priority(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> PriorityRow:
    """Create (no id) or update (id) a priority of the named collaborative, in one transaction.
    An update keeps the rationale and the date set when they are left out."""
    today = today or dt.date.today()
    collaborative = (given.get("collaborative") or "").strip().upper()
    require_signed_in(actor, "set priorities")
    require_collaborative(actor, collaborative, "set priorities for this collaborative")
    problems = Problems()
    row = {
        "collaborative": collaborative,
        "title": check_text(problems, "title", given.get("title"), TITLE, required=True),
        "harmArea": check_text(problems, "harmArea", given.get("harmArea"), SHORT, required=True),
        "rationale": check_text(problems, "rationale", given.get("rationale"), LONG),
        "dateSet": (given.get("dateSet") or today).isoformat(),
    }
    if given.get("dateSet") and given["dateSet"] > today:
        problems.add("dateSet", "FUTURE_DATE", "a priority cannot be set in the future")
    problems.raise_if_any()

    async def work(tx: Tx) -> PriorityRow:
        problems = Problems()  # afresh on each (retried) attempt
        if not await priority_graph.collaborative_exists(tx, collaborative):
            problems.add("collaborative", "NOT_FOUND", f"no collaborative has the code '{collaborative[:20]}'")
        priority_id: str | None = given.get("id")
        if priority_id:
            state = await priority_graph.priority_state(tx, priority_id)
            if state is None:
                problems.add("id", "NOT_FOUND", f"no priority has the id '{priority_id[:60]}'")
            elif state["collaborative"] != collaborative:
                problems.add("id", "OTHER_COLLABORATIVE", f"priority '{priority_id}' belongs to {state['collaborative']}")
            elif state["status"] == "RETIRED":
                problems.add("id", "RETIRED", f"priority '{priority_id}' is retired; set a new one instead")
        titles = {" ".join(title.lower().split()): pid for title, pid in (await priority_graph.active_titles(tx, collaborative)).items()}
        same = titles.get(" ".join(str(row["title"]).lower().split()))
        if same and same != priority_id:
            problems.add("title", "DUPLICATE", f"{collaborative} already has an active priority called '{str(row['title'])[:80]}': "
                                               "change that one instead of setting it again")
        problems.raise_if_any()
        # One harm area, however it is typed: 'falls' is the 'Falls' already in use.
        row["harmArea"] = next((area for area in await search_graph.harm_areas(tx, visibility(ANONYMOUS))  # those published
                                if area.strip().lower() == str(row["harmArea"]).strip().lower()), row["harmArea"])
        identifier = priority_id or f"{collaborative}-{secrets.token_hex(4)}"
        saved = await priority_graph.save_priority(tx, {**row, "id": identifier},
                                                   keep_rationale=bool(priority_id) and "rationale" not in given,
                                                   keep_date=bool(priority_id) and given.get("dateSet") is None)
        await audit(tx, actor, "setPriority", [("Priority", identifier), ("Collaborative", collaborative)],
                    f"{'updated' if priority_id else 'set'} '{str(row['title'])[:80]}'")
        return saved

    return await graph.write_tx(work)


async def retire_priority(graph: Graph, priority_id: str, reason: str | None, actor: Actor, *,
                          today: dt.date | None = None) -> PriorityRow:
    require_signed_in(actor, "retire priorities")
    problems = Problems()
    reason = check_text(problems, "reason", reason, LONG)
    problems.raise_if_any()

    async def work(tx: Tx) -> PriorityRow:
        problems = Problems()
        state = await priority_graph.priority_state(tx, priority_id)
        if state is None:
            problems.add("id", "NOT_FOUND", f"no priority has the id '{priority_id[:60]}'")
        else:
            require_collaborative(actor, state["collaborative"], "retire another collaborative's priority")
            if state["status"] == "RETIRED":
                problems.add("id", "ALREADY_RETIRED", f"priority '{priority_id}' is already retired")
        problems.raise_if_any()
        retired = await priority_graph.retire(tx, priority_id, (today or dt.date.today()).isoformat(), reason)
        await audit(tx, actor, "retirePriority", [("Priority", priority_id)], reason)
        return retired

    return await graph.write_tx(work)
