"""recordAdoption."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.adoptions.types import Adoption
from collab_api.api.context import context_of
from collab_api.api.core.enums import CareSetting
from collab_api.api.core.inputs import plain
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.api.interventions.inputs import ContactInput
from collab_api.usecases import recording
from collab_api.graph import adoptions as adoption_graph


class LearnedFromInput(graphene.InputObjectType):
    """Exactly one of these."""

    organisation = graphene.String(description="ODS code of the organisation learned from.")
    collaborative = graphene.String(description="Code of the collaborative learned from.")
    adoption = graphene.ID(description="Id of another adoption of the same intervention.")


class AdaptationInput(graphene.InputObjectType):
    what = graphene.String(required=True)
    why = graphene.String()


class RecordAdoptionInput(graphene.InputObjectType):
    organisation = graphene.String(required=True, description="ODS code of the organisation or site.")
    intervention = graphene.ID(required=True)
    component = graphene.String(description="A component's name (or key); omit for the whole intervention.")
    careSetting = CareSetting()
    stage = graphene.Int(description="0 to 7 on the national scale; omit when not applicable.")
    notApplicable = graphene.String(description="Why it does not apply here, e.g. 'No paediatric patients'.")
    quarter = graphene.String(required=True, description="Reporting quarter, e.g. '2025/26 Q1'.")
    observedOn = graphene.Date()
    learnedFrom = LearnedFromInput()
    adaptations = graphene.List(graphene.NonNull(AdaptationInput))
    localResult = graphene.String()
    interventionVersion = graphene.Int(description="The version adopted; default the current one.")
    contact = ContactInput(description="Someone here who agreed to be contacted about it by others.")


class RecordAdoptionPayload(Payload):
    adoption = graphene.Field(Adoption)
    outcome = graphene.String(description="CREATED, UNCHANGED (sent before) or CORRECTED (same quarter, new content).")


class RecordAdoption(graphene.Mutation):
    """Record an organisation's stage of adoption for a quarter."""

    class Arguments:
        input = RecordAdoptionInput(required=True)

    Output = RecordAdoptionPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        graph = context_of(info).graph

        async def then(result: dict[str, Any]) -> dict[str, Any]:
            found = await adoption_graph.by_ids(graph, [result["adoptionId"]], context_of(info).visibility)
            return {"adoption": found.get(result["adoptionId"])}

        return await run_mutation(lambda: recording.record_adoption(graph, plain(input), context_of(info).viewer), then)


class AdoptionMutations(graphene.ObjectType):
    recordAdoption = RecordAdoption.Field()
