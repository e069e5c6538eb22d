"""The controlled list of harm areas: what forms offer, what people typed as "another" (for the
national team to look at), and adding one to the list (the national team; audited)."""

from __future__ import annotations

import datetime as dt

from collab_api.db.graph import Graph, Tx
from collab_api.domain.errors import Problems
from collab_api.domain.harm_areas import first_list, folded, harm_area_key
from collab_api.domain.permissions import Actor, require_national
from collab_api.domain.rows import HarmAreaUse
from collab_api.domain.text import SHORT, check_text
from collab_api.graph import harm_areas as harm_area_graph
from collab_api.usecases.audit import audit


async def harm_area_list(graph: Graph) -> list[str]:
    """The list forms offer: the platform's first list and those the national team added."""
    return folded([*first_list(), *await harm_area_graph.added(graph)])


async def proposed_harm_areas(graph: Graph, actor: Actor) -> list[HarmAreaUse]:
    """Harm areas in use that are not in the list (typed as "another"), most used first; each
    spelling folded into one ('falls ' is 'Falls'). For the national team."""
    require_national(actor, "see the harm areas proposed for the list")
    listed = {harm_area_key(name) for name in await harm_area_list(graph)}
    merged: dict[str, HarmAreaUse] = {}
    for use in await harm_area_graph.in_use(graph):
        key = harm_area_key(use["name"])
        if key in listed:
            continue
        kept = merged.setdefault(key, HarmAreaUse(name=" ".join(use["name"].split()), interventions=0, priorities=0))
        kept["interventions"] += use["interventions"]
        kept["priorities"] += use["priorities"]
    return sorted(merged.values(), key=lambda u: (-(u["interventions"] + u["priorities"]), u["name"].lower()))


async def add_harm_area(graph: Graph, name: str | None, actor: Actor) -> list[str]:
    """Add a harm area to the list (one typed as "another", or a new one); refused when the
    list has it already, whatever its case. Returns the list."""
    require_national(actor, "add harm areas to the list")
    problems = Problems()
    cleaned = check_text(problems, "name", name, SHORT, required=True)
    problems.raise_if_any()
    assert cleaned is not None
    cleaned = " ".join(cleaned.split())

    async def work(tx: Tx) -> None:
        listed = {harm_area_key(n): n for n in [*first_list(), *await harm_area_graph.added(tx)]}
        if harm_area_key(cleaned) in listed:
            problems.add("name", "ALREADY_LISTED", f"'{listed[harm_area_key(cleaned)]}' is already in the list of harm areas")
        problems.raise_if_any()
        await harm_area_graph.add(tx, cleaned, harm_area_key(cleaned), actor.subject, dt.datetime.now(dt.UTC).isoformat())
        await audit(tx, actor, "addHarmArea", [], f"added '{cleaned}' to the list of harm areas")

    await graph.write_tx(work)
    return await harm_area_list(graph)
