"""Who may do what. Roles are scoped: a lead to a collaborative, a provider to an organisation.

- NATIONAL: the national team; everything.
- LEAD: publishes and updates its collaborative's interventions and priorities, records
  adoption for its member organisations, imports its collaborative's returns.
- PROVIDER: records adoption for its own organisation and that organisation's sites.
- ANONYMOUS: reads published interventions and aggregate spread; not drafts (interventions
  still at IDEA), not contact details, not who reported what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

DRAFT_STATUS = "IDEA"


class Role(str, Enum):
    NATIONAL = "NATIONAL"
    LEAD = "LEAD"
    PROVIDER = "PROVIDER"
    ANONYMOUS = "ANONYMOUS"


class Forbidden(Exception):
    """A known caller without the right to do this (or an anonymous one asked to sign in)."""


@dataclass(frozen=True)
class Actor:
    subject: str | None
    role: Role
    collaborative: str | None = None
    organisation: str | None = None
    name: str | None = None  # the person's name, as their sign-in gives it (for the audit trail)
    email: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role == Role.ANONYMOUS

    def describe(self) -> str:
        scope = self.collaborative or self.organisation
        return f"{self.role.value.lower()}{f' of {scope}' if scope else ''}"

    def audit(self) -> dict[str, Any]:
        return {"subject": self.subject, "role": self.role.value, "collaborative": self.collaborative,
                "organisation": self.organisation, "actorName": self.name}


ANONYMOUS = Actor(None, Role.ANONYMOUS)
SYSTEM = Actor("system", Role.NATIONAL)  # the command line, run by whoever runs the server


@dataclass(frozen=True)
class Visibility:
    """Which draft interventions a reader may see; used as a predicate in every query."""

    all_drafts: bool
    draft_collaboratives: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {"seeAllDrafts": self.all_drafts, "draftCollaboratives": list(self.draft_collaboratives)}

    def sees(self, published: bool, collaborative: str | None) -> bool:
        """May this reader see an intervention (a draft when never published)?"""
        return published or self.all_drafts or (collaborative in self.draft_collaboratives)


def visibility(actor: Actor) -> Visibility:
    if actor.role == Role.NATIONAL:
        return Visibility(True)
    if actor.role == Role.LEAD and actor.collaborative:
        return Visibility(False, (actor.collaborative,))
    return Visibility(False)


def _deny(actor: Actor, what: str) -> None:
    if actor.is_anonymous:
        raise Forbidden(f"sign in to {what}")
    raise Forbidden(f"a {actor.describe()} may not {what}")


def require_national(actor: Actor, what: str) -> None:
    if actor.role != Role.NATIONAL:
        _deny(actor, what)


def require_signed_in(actor: Actor, what: str) -> None:
    if actor.is_anonymous:
        _deny(actor, what)


def require_collaborative(actor: Actor, collaborative: str | None, what: str) -> None:
    """The national team, or the lead of this collaborative."""
    if actor.role == Role.NATIONAL:
        return
    if actor.role == Role.LEAD and collaborative is not None and actor.collaborative == collaborative:
        return
    _deny(actor, what)


def may_act_for(actor: Actor, organisation: str, trust: str | None, collaboratives: list[str]) -> bool:
    """The national team, the lead of a collaborative the organisation belongs to, or the
    provider that is the organisation or its trust."""
    return (actor.role == Role.NATIONAL or (actor.role == Role.LEAD and actor.collaborative in collaboratives)
            or (actor.role == Role.PROVIDER and actor.organisation in {organisation, trust}))


def require_organisation(actor: Actor, organisation: str, trust: str | None, collaboratives: list[str], what: str) -> None:
    if not may_act_for(actor, organisation, trust, collaboratives):
        _deny(actor, what)
