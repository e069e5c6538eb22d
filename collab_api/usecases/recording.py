"""Recording adoption: one observation per organisation, intervention, component, care
setting and quarter; the current stage is the latest quarter's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from collab_api.db.graph import Graph, Tx
from collab_api.domain.adoption import Observation, clean_observation, would_make_cycle
from collab_api.usecases import notifying
from collab_api.usecases.audit import audit
from collab_api.domain.errors import Problems
from collab_api.domain.permissions import Actor, require_organisation, require_signed_in, visibility
from collab_api.domain.rows import ComponentRef, ObservationWritten, RecordingContext
from collab_api.domain.vocabulary import CARE_SETTING_LABELS, setting_fits
from collab_api.graph import adoptions as adoption_graph


def resolve_component(problems: Problems, components: list[ComponentRef], name: str | None, intervention: str) -> str | None:
    if name is None:
        return None
    for component in components:
        if component["name"].lower() == name.strip().lower() or component["key"] == name.strip():
            return component["key"]
    known = ", ".join(c["name"] for c in components) or "none"
    problems.add("component", "UNKNOWN_COMPONENT", f"'{name[:60]}' is not a component of {intervention} (components: {known})")
    return None


async def record_adoption(graph: Graph, given: dict[str, Any], actor: Actor, *, today: dt.date | None = None) -> ObservationWritten:
    """Validate and record one observation in one transaction."""
    require_signed_in(actor, "record adoption")
    problems = Problems()
    observation = clean_observation(problems, given, today=today)
    problems.raise_if_any()
    assert observation is not None
    version = given.get("interventionVersion")

    async def work(tx: Tx) -> ObservationWritten:
        problems = Problems()
        learned = observation.learnedFrom
        context = await adoption_graph.recording_context(
            tx, observation.organisation, observation.intervention, observation.quarter.next().starts_on.isoformat(),
            learned.kind if learned else None, learned.ref if learned else None, visibility(actor))
        if not context["organisation"]:
            problems.add("organisation", "NOT_FOUND", f"no organisation has the ODS code '{observation.organisation}'")
        if context["organisation"]:
            require_organisation(actor, observation.organisation, context["organisationTrust"],
                                 context["organisationCollaboratives"], "record adoption for this organisation")
        if not context["intervention"]:
            problems.add("intervention", "NOT_FOUND", f"no intervention has the id '{observation.intervention[:60]}'")
            problems.raise_if_any()
        component_key = resolve_component(problems, context["components"], observation.component, observation.intervention)
        _check_setting(problems, observation, context)
        _check_open(problems, observation, context)
        if version is not None and not 1 <= version <= (context["version"] or 0):
            problems.add("interventionVersion", "NOT_FOUND", f"{observation.intervention} has versions 1 to {context['version']}")
        if learned:
            _check_source(problems, observation, context)
        problems.raise_if_any()
        applied = version if version is not None else context["appliedVersion"]
        rows = await adoption_graph.write_observations(tx, [adoption_graph.observation_row(observation, component_key, version=applied)])
        if rows[0]["outcome"] != "UNCHANGED":
            await audit(tx, actor, "recordAdoption",
                        [("Adoption", rows[0]["adoptionId"]), ("Organisation", observation.organisation),
                         ("Intervention", observation.intervention)],
                        f"{rows[0]['outcome'].lower()} {observation.quarter}: "
                        + (f"stage {observation.stage}" if observation.stage is not None else "not applicable"))
            if observation.stage:  # an adopter (stage 1 and above): told to those who follow it, once each
                await notifying.adopted(tx, observation.organisation, observation.intervention, actor.subject)
        return rows[0]

    return await graph.write_tx(work)


def _check_setting(problems: Problems, observation: Observation, context: RecordingContext) -> None:
    """A setting must be one the organisation works in (a trust: its sites' too) and one the
    intervention is delivered in, broad or fine (ACUTE covers the inpatient and ED settings)."""
    setting = observation.careSetting
    if not context["organisation"]:
        return
    own = sorted(set(context["organisationSettings"] or []))
    delivered = context["interventionSettings"] or []
    if setting is None:  # no particular setting: the organisation must work in one the intervention is delivered in
        if own and delivered and not any(setting_fits(mine, delivered) for mine in own):
            problems.add("careSetting", "NO_SHARED_SETTING",
                         f"{observation.organisation} works in none of the settings {observation.intervention} is delivered "
                         f"in ({', '.join(CARE_SETTING_LABELS.get(s, s) for s in delivered)}); its own settings: "
                         f"{', '.join(CARE_SETTING_LABELS.get(s, s) for s in own)}")
        return
    label = CARE_SETTING_LABELS.get(setting, setting)
    if own and not setting_fits(setting, own):
        problems.add("careSetting", "NOT_AN_ORGANISATION_SETTING",
                     f"{observation.organisation} does not work in '{label}' (its settings: "
                     f"{', '.join(CARE_SETTING_LABELS.get(s, s) for s in own)})")
    if delivered and not setting_fits(setting, delivered):
        problems.add("careSetting", "NOT_AN_INTERVENTION_SETTING",
                     f"{observation.intervention} is not delivered in '{label}' (its settings: "
                     f"{', '.join(CARE_SETTING_LABELS.get(s, s) for s in delivered)})")


def _check_open(problems: Problems, observation: Observation, context: RecordingContext) -> None:
    """An organisation closed, or taken over, before the quarter began cannot report it."""
    ended = context["succeededOn"] or (context["closedOn"] if context["organisationStatus"] == "CLOSED" else None)
    if ended is None or ended >= observation.quarter.starts_on:
        return
    successor = (f"; it was taken over by {context['successor']} ({context['successorName']}): record it for "
                 f"{context['successor']}") if context["successor"] else ""
    problems.add("organisation", "CLOSED",
                 f"{observation.organisation} closed on {ended.isoformat()}, before {observation.quarter}{successor}")


def _check_source(problems: Problems, observation: Observation, context: RecordingContext) -> None:
    learned = observation.learnedFrom
    assert learned is not None
    field = f"learnedFrom.{learned.kind.lower()}"
    source_organisation = None
    if learned.kind == "ORGANISATION":
        source_organisation = context["sourceOrganisation"]
        if not source_organisation:
            problems.add(field, "NOT_FOUND", f"no organisation has the ODS code '{learned.ref}'")
    elif learned.kind == "COLLABORATIVE":
        if not context["sourceCollaborative"]:
            problems.add(field, "NOT_FOUND", f"no collaborative has the code '{learned.ref[:20]}'")
    elif learned.kind == "ADOPTION":
        source_organisation = context["sourceAdoptionOrganisation"]
        if not source_organisation:
            problems.add(field, "NOT_FOUND", f"no adoption has the id '{learned.ref[:40]}'")
        elif context["sourceAdoptionIntervention"] != observation.intervention:
            problems.add(field, "OTHER_INTERVENTION", f"adoption '{learned.ref}' is of another intervention")
    if source_organisation:
        edges = [(a, b) for a, b in context["learning"] if a and b]
        if would_make_cycle(edges, observation.organisation, source_organisation):
            problems.add(field, "LEARNING_CYCLE",
                         f"{observation.organisation} cannot learn {observation.intervention} from {source_organisation}: "
                         f"{source_organisation} already learned it, directly or at a remove, from {observation.organisation}"
                         if source_organisation != observation.organisation else
                         f"{observation.organisation} cannot learn from itself")
