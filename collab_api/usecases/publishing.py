"""Publishing and updating interventions, and moving them through their lifecycle.

Each operation is one write transaction: checks that need the graph run inside it, and any
refusal raises before a single write, so a refused operation leaves the graph as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain import ods
from collab_api.domain.changes import describe, describe_status_change
from collab_api.domain.errors import FieldProblem, InvalidInput, Problems
from collab_api.domain.interventions import (
    DESCRIPTION_FIELDS, Status, check_results_for, check_status_change, clean_description, graph_row, slug,
)
from collab_api.usecases import notifying
from collab_api.usecases.audit import audit
from collab_api.domain.permissions import Actor, Role, require_collaborative, require_signed_in, visibility
from collab_api.domain.rows import InterventionState
from collab_api.domain.text import LONG, check_text
from collab_api.graph import intervention_writes as writes


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


async def _check_priorities(tx: Tx, problems: Problems, ids: list[str]) -> None:
    known = await writes.known_priorities(tx, ids)
    for position, priority_id in enumerate(ids):
        if priority_id not in known:
            problems.add(f"priorityIds.{position}", "NOT_FOUND", f"no priority has the id '{priority_id[:60]}'")


async def publish_intervention(graph: Graph, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Publish a new intervention (version 1) of a collaborative. Returns {id, version}."""
    require_signed_in(actor, "publish interventions")
    require_collaborative(actor, (given.get("collaborative") or "").strip().upper(), "publish interventions for this collaborative")
    problems = Problems()
    description = clean_description(problems, given)
    status = given.get("status") or Status.IDEA.value
    if status == Status.RETIRED.value:
        problems.add("status", "INVALID_TRANSITION", "a new intervention cannot be published as RETIRED")
    check_results_for(problems, Status(status), description)
    collaborative = (given.get("collaborative") or "").strip().upper()
    organisation = ods.normalise(given["originOrganisation"]) if given.get("originOrganisation") else None
    if organisation and (reason := ods.shape_problem(organisation)):
        problems.add("originOrganisation", "INVALID_ODS_CODE", reason)
    priority_ids = list(dict.fromkeys(given.get("priorityIds") or []))
    note = check_text(problems, "note", given.get("note"), LONG)
    national_programme = bool(given.get("nationalProgramme"))
    if national_programme and actor.role != Role.NATIONAL:
        problems.add("nationalProgramme", "NATIONAL_ONLY", "only the national team publishes national programmes")
    problems.raise_if_any()
    intervention_id = f"{slug(description['title'])[:40]}-{secrets.token_hex(3)}"

    async def work(tx: Tx) -> dict[str, Any]:
        problems = Problems()
        context = await writes.publishing_context(tx, collaborative, organisation)
        if not context.get("collaborative"):
            problems.add("collaborative", "NOT_FOUND", f"no collaborative has the code '{collaborative[:20]}'")
        if organisation and not context.get("organisation"):
            problems.add("originOrganisation", "NOT_FOUND", f"no organisation has the ODS code '{organisation}'")
        elif organisation and context.get("collaborative") and not context.get("organisationInCollaborative"):
            problems.add("originOrganisation", "OUTSIDE_COLLABORATIVE", f"{organisation} is not a member of {collaborative}")
        await _check_priorities(tx, problems, priority_ids)
        problems.raise_if_any()
        row = graph_row(intervention_id, description, status)
        await writes.create_interventions(tx, [{
            "id": intervention_id, **row, "priorityIds": priority_ids, "collaborative": collaborative,
            "organisation": organisation, "at": _now(), "note": note or "Published", "author": actor.subject,
            "authorName": actor.name,
            "synthetic": False, "nationalProgramme": national_programme,
        }])
        await audit(tx, actor, "publishIntervention", [("Intervention", intervention_id), ("Collaborative", collaborative)],
                    f"published '{description['title'][:80]}' as {status}, version 1")
        if status != Status.IDEA.value:  # a draft is told of when it is published
            await notifying.new_intervention(tx, intervention_id, description["title"], description.get("harmArea"),
                                             collaborative, actor.subject)
        return {"id": intervention_id, "version": 1}

    return await graph.write_tx(work)


async def update_intervention(graph: Graph, intervention_id: str, given: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Make a new version from the current one and the fields given. Returns {id, version}."""
    require_signed_in(actor, "update interventions")
    problems = Problems()
    changes = clean_description(problems, given, partial=True)
    added = clean_description(problems, {"evidence": given["addEvidence"]}, partial=True).get("evidence") \
        if given.get("addEvidence") else []
    if added and "evidence" in changes:
        problems.add("addEvidence", "CONFLICT", "give either evidence (the whole list) or addEvidence, not both")
    note = check_text(problems, "note", given.get("note"), LONG)
    priority_ids = list(dict.fromkeys(given["priorityIds"])) if given.get("priorityIds") is not None else None
    if not changes and priority_ids is None and not added:
        problems.add("input", "NOTHING_TO_UPDATE", "the update changes no field")
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        problems = Problems()
        state = await _editable_state(tx, intervention_id, actor, "update another collaborative's intervention")
        if state["status"] == Status.RETIRED.value:
            problems.add("id", "RETIRED", "a retired intervention cannot be updated")
        previous = json.loads(state["document"] or "{}")
        description = {**previous, **changes}
        if added:
            description["evidence"] = [*(description.get("evidence") or []), *added]
            changes["evidence"] = description["evidence"]
        check_results_for(problems, Status(state["status"]), description)  # evidence cannot be emptied under PROVEN
        if priority_ids is not None:
            await _check_priorities(tx, problems, priority_ids)
        priorities = state["priorityIds"] if priority_ids is None else priority_ids
        what = describe({**previous, "priorityIds": sorted(state["priorityIds"] or [])},
                        {**description, "priorityIds": sorted(priorities)}, [*changes, "priorityIds"])
        if not what:  # every field sent as it was (a form sends them all): no new version
            problems.add("input", "NOTHING_TO_UPDATE", "the update changes no field")
        problems.raise_if_any()
        return await _new_version(tx, intervention_id, description, state["status"], priorities, note or "Updated", actor,
                                  "updateIntervention", what)

    return await graph.write_tx(work)


async def change_status(graph: Graph, intervention_id: str, status: str, note: str | None, actor: Actor) -> dict[str, Any]:
    require_signed_in(actor, "change an intervention's status")
    problems = Problems()
    note = check_text(problems, "note", note, LONG)
    problems.raise_if_any()

    async def work(tx: Tx) -> dict[str, Any]:
        problems = Problems()
        state = await _editable_state(tx, intervention_id, actor, "change the status of another collaborative's intervention")
        description = json.loads(state["document"] or "{}")
        check_status_change(problems, state["status"], status, description, note)
        problems.raise_if_any()
        return await _new_version(tx, intervention_id, description, status, state["priorityIds"],
                                  note or describe_status_change(state["status"], status).capitalize(), actor,
                                  "changeInterventionStatus", describe_status_change(state["status"], status))

    return await graph.write_tx(work)


async def _editable_state(tx: Tx, intervention_id: str, actor: Actor, what: str) -> InterventionState:
    """The intervention's current state, if it exists and the actor may change it."""
    state = await writes.current_state(tx, intervention_id)
    if state is not None and not visibility(actor).sees(state["everPublished"], state["collaborative"]):
        state = None  # a draft it may not see answers exactly as a missing one
    if state is None:
        raise InvalidInput([FieldProblem("id", "NOT_FOUND", f"no intervention has the id '{intervention_id[:60]}'")])
    require_collaborative(actor, state["collaborative"], what)
    return state


async def _new_version(tx: Tx, intervention_id: str, description: dict[str, Any], status: str,
                       priority_ids: list[str], note: str, actor: Actor, operation: str, summary: str) -> dict[str, Any]:
    description = {name: description.get(name) for name in DESCRIPTION_FIELDS}
    row = graph_row(intervention_id, description, status)
    number = await writes.add_version(tx, {
        "id": intervention_id, **row, "priorityIds": priority_ids, "at": _now(), "note": note, "author": actor.subject, "authorName": actor.name,
    })
    await audit(tx, actor, operation, [("Intervention", intervention_id)], f"version {number}: {summary}")
    if status != Status.IDEA.value:
        changed = operation == "changeInterventionStatus"
        await notifying.new_version(tx, intervention_id, description.get("title") or intervention_id, number,
                                    status=status if changed else None, author=actor.subject)
    return {"id": intervention_id, "version": number}
