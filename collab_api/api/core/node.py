"""Objects a client may cache, and finding any of them again by id (the Relay Node convention).

Ids are stable and unique across the whole API. Interventions, priorities, adoptions and audit
events keep the ids they always had; the others are their natural key after their type
(`Collaborative:KSS`, `Organisation:RAJ`, `Version:marthas-rule@3`, `Observation:<key>`,
`Component:<key>`, `ICB:<name>`, `AdoptionStage:5`)."""

from __future__ import annotations

from typing import Any

import graphene


class Node(graphene.Interface):
    """An object with an id that is stable and unique among all the API's objects."""

    id = graphene.ID(required=True, description="Stable, and unique across the API: cache by it, or find the object "
                                                "again with node(id:).")

    @classmethod
    def resolve_type(cls, instance: Any, info: Any) -> Any:
        return instance["__typename"]


def prefixed(type_name: str, key: Any) -> str:
    return f"{type_name}:{key}"


def split(identifier: str) -> tuple[str | None, str]:
    """(type, natural key) for a prefixed id; (None, id) for an id as interventions have."""
    prefix, _, key = identifier.partition(":")
    if key and prefix in PREFIXED:
        return prefix, key
    return None, identifier


PREFIXED = {"Collaborative", "Organisation", "Version", "Observation", "Component", "ICB", "AdoptionStage"}
