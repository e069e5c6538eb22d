"""Input types for describing an intervention."""

from __future__ import annotations

import graphene

from collab_api.api.core.enums import CareSetting, InterventionStatus
from collab_api.api.improvement.types import ImprovementDirection
from collab_api.api.interventions.description import EvidenceType, MeasureKind, MeasureValueType


class ComponentInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    description = graphene.String()


class MeasureInput(graphene.InputObjectType):
    kind = MeasureKind(required=True)
    name = graphene.String(required=True)
    definition = graphene.String(required=True)
    valueType = MeasureValueType(description="Required: COUNT, RATE, PERCENTAGE, TIME or YES_NO; it sets the values allowed.")
    ratePer = graphene.Float(description="For a RATE: what it is per, e.g. 1000 for 'per 1,000 bed days'.")
    unit = graphene.String(description="For example 'falls'; for a TIME: minutes, hours or days.")
    improvement = ImprovementDirection(description="Required: which direction is better; NEITHER only if the definition "
                                                   "says no direction is.")


class EvidenceInput(graphene.InputObjectType):
    type = EvidenceType(required=True)
    summary = graphene.String(required=True)
    baseline = graphene.String()
    result = graphene.String(description="The effect found; needed before EVALUATED or PROVEN.")
    period = graphene.String()
    unintendedConsequences = graphene.String()


class ResourceInput(graphene.InputObjectType):
    title = graphene.String(required=True)
    url = graphene.String(required=True)


class ContactInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    role = graphene.String()
    email = graphene.String(required=True)
    organisation = graphene.String(description="ODS code of their organisation.")
    consentedToContact = graphene.Boolean(required=True, description="Must be true: they agreed to be contacted.")


LIST = "When given, the whole list: it replaces the current one (send every item to keep); left out, it stays as it is."


class DescriptionInput:
    """Fields shared by publishing and updating (on update every field is optional)."""

    summary = graphene.String()
    problem = graphene.String()
    why = graphene.String()
    materials = graphene.String()
    procedures = graphene.String()
    whoDelivers = graphene.String()
    how = graphene.String()
    whenHowMuch = graphene.String()
    tailoring = graphene.String()
    patientInvolvement = graphene.String()
    sourceIndustry = graphene.String()
    harmArea = graphene.String()
    tags = graphene.List(graphene.NonNull(graphene.String), description=LIST)
    careSettings = graphene.List(graphene.NonNull(CareSetting), description=LIST)
    components = graphene.List(graphene.NonNull(ComponentInput), description=LIST)
    measures = graphene.List(graphene.NonNull(MeasureInput), description=LIST)
    evidence = graphene.List(graphene.NonNull(EvidenceInput), description=LIST + " To add items, use addEvidence.")
    resources = graphene.List(graphene.NonNull(ResourceInput), description=LIST)
    contact = ContactInput()
    priorityIds = graphene.List(graphene.NonNull(graphene.ID), description="Priorities it addresses. " + LIST)
    note = graphene.String(description="What this version is, in the author's words.")


class PublishInterventionInput(DescriptionInput, graphene.InputObjectType):
    collaborative = graphene.String(required=True, description="The publishing collaborative's code.")
    originOrganisation = graphene.String(description="ODS code of the member organisation that developed it.")
    title = graphene.String(required=True)
    status = InterventionStatus(description="Default IDEA.")
    nationalProgramme = graphene.Boolean(description="A national programme rolled out in phases (national team only).")


class UpdateInterventionInput(DescriptionInput, graphene.InputObjectType):
    """A change to an intervention, making a new version. Fields left out (or null) stay as they
    are; a list given replaces the whole list."""

    title = graphene.String()
    addEvidence = graphene.List(graphene.NonNull(EvidenceInput),
                                description="Evidence to add to the current evidence, which is all kept.")
