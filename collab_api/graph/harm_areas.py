"""Graph access for the harm-area list: the areas the national team added (`HarmArea` nodes),
and the areas in use by interventions and priorities, with how many use each."""

from __future__ import annotations

from collab_api.db.graph import Runner
from collab_api.domain.rows import HarmAreaUse


async def added(runner: Runner) -> list[str]:
    """The harm areas the national team added to the list."""
    return [str(row["name"]) for row in await runner.read("MATCH (h:HarmArea) RETURN h.name AS name ORDER BY h.key")]


async def add(runner: Runner, name: str, key: str, actor: str | None, at: str) -> None:
    """Add a harm area to the list (the caller has checked it is not there, in any spelling)."""
    await runner.write("""
        MERGE (h:HarmArea {key: $key})
        ON CREATE SET h.name = $name, h.addedAt = datetime($at), h.addedBy = $actor""",
        {"key": key, "name": name, "actor": actor, "at": at})


async def in_use(runner: Runner) -> list[HarmAreaUse]:
    """Every harm area an intervention (draft or not) or a priority names, with how many of each."""
    rows = await runner.read("""
        OPTIONAL MATCH (i:Intervention) WHERE i.harmArea IS NOT NULL
        WITH collect(i.harmArea) AS fromInterventions
        OPTIONAL MATCH (p:Priority) WHERE p.harmArea IS NOT NULL
        RETURN fromInterventions, collect(p.harmArea) AS fromPriorities""")
    counts: dict[str, list[int]] = {}
    for position, field in enumerate(("fromInterventions", "fromPriorities")):
        for name in rows[0][field]:
            counts.setdefault(str(name), [0, 0])[position] += 1
    return [HarmAreaUse(name=name, interventions=a, priorities=b) for name, (a, b) in counts.items()]
