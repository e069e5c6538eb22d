"""The replication description shared by an intervention and each of its versions (TIDieR),
with its measures and evidence (SQUIRE). Resolved from the JSON document of the version."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import graphene

from collab_api.api.improvement.types import ImprovementDirection
from collab_api.domain import interventions as rules
from collab_api.domain.measure_scale import VALUE_TYPES, Scale
from collab_api.domain.permissions import require_signed_in

MeasureKind = graphene.Enum.from_enum(rules.MeasureKind)
EvidenceType = graphene.Enum.from_enum(rules.EvidenceType, description="Kinds of evidence, strongest first.")
MeasureValueType = graphene.Enum("MeasureValueType", [(name, name) for name in VALUE_TYPES],
                                 description=lambda value: VALUE_TYPES[value.value] if value else "What a measure's values are.")


class Measure(graphene.ObjectType):
    kind = graphene.Field(MeasureKind, required=True)
    name = graphene.String(required=True)
    definition = graphene.String(required=True)
    valueType = graphene.Field(MeasureValueType, description="Null for a measure described before types were recorded.")
    ratePer = graphene.Float(description="For a RATE: values are per this many (100 for a PERCENTAGE).")
    unit = graphene.String(description="For example 'falls' or 'minutes'.")
    improvement = graphene.Field(ImprovementDirection, description="Which direction is better, as the definition states.")
    validRange = graphene.String(required=True, description="The values this measure can take, in words.")

    @staticmethod
    def resolve_ratePer(measure: dict[str, Any], info: Any) -> Any:
        return Scale.of(measure).ratePer

    @staticmethod
    def resolve_validRange(measure: dict[str, Any], info: Any) -> str:
        if measure.get("valueType") == "RATE":
            return f"a rate per {Scale.of(measure).ratePer or 0:,g}: 0 or more"
        return VALUE_TYPES.get(measure.get("valueType") or "", "any value of 0 or more (its type is not stated)")


class Evidence(graphene.ObjectType):
    type = graphene.Field(EvidenceType, required=True)
    summary = graphene.String(required=True)
    baseline = graphene.String()
    result = graphene.String()
    period = graphene.String()
    unintendedConsequences = graphene.String()


class Resource(graphene.ObjectType):
    title = graphene.String(required=True)
    url = graphene.String(required=True)


class Contact(graphene.ObjectType):
    """Someone who has agreed to be contacted about the intervention."""

    name = graphene.String(required=True)
    role = graphene.String()
    email = graphene.String(required=True)
    organisation = graphene.String(description="ODS code of their organisation, if given.")


class ComponentDescription(graphene.ObjectType):
    name = graphene.String(required=True)
    description = graphene.String()


def document(row: dict[str, Any]) -> dict[str, Any]:
    if "_document" not in row:
        row["_document"] = json.loads(row.get("document") or "{}")
    return row["_document"]


def _from_document(name: str, row: dict[str, Any], info: Any) -> Any:
    return document(row).get(name)


def _list_from_document(name: str, row: dict[str, Any], info: Any) -> Any:
    return document(row).get(name) or []


class DescriptionFields:
    """Mixed into Intervention and InterventionVersion."""

    problem = graphene.String(description="The safety problem it addresses.")
    why = graphene.String(description="Rationale: why it should work.")
    materials = graphene.String()
    procedures = graphene.String()
    whoDelivers = graphene.String()
    how = graphene.String(description="Modes of delivery.")
    whenHowMuch = graphene.String(description="When, how often and how much.")
    tailoring = graphene.String(description="How it may be tailored locally.")
    patientInvolvement = graphene.String(description="How patients, carers and families were involved.")
    sourceIndustry = graphene.String(description="Another industry it learned from, e.g. aviation.")
    harmArea = graphene.String()
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    measures = graphene.List(graphene.NonNull(Measure), required=True)
    evidence = graphene.List(graphene.NonNull(Evidence), required=True)
    resources = graphene.List(graphene.NonNull(Resource), required=True)
    contact = graphene.Field(Contact)
    componentDescriptions = graphene.List(
        graphene.NonNull(ComponentDescription), required=True, description="The components as this version described them.")

    for _name in ("problem", "why", "materials", "procedures", "whoDelivers", "how", "whenHowMuch", "tailoring",
                  "patientInvolvement", "sourceIndustry"):
        locals()[f"resolve_{_name}"] = staticmethod(partial(_from_document, _name))
    for _name in ("measures", "evidence", "resources"):
        locals()[f"resolve_{_name}"] = staticmethod(partial(_list_from_document, _name))
    del _name

    @staticmethod
    def resolve_contact(row: dict[str, Any], info: Any) -> Any:
        require_signed_in(info.context.viewer, "see contact details")
        return document(row).get("contact")

    @staticmethod
    def resolve_tags(row: dict[str, Any], info: Any) -> list[str]:
        return row.get("tags") or []

    @staticmethod
    def resolve_componentDescriptions(row: dict[str, Any], info: Any) -> list[dict[str, Any]]:
        return document(row).get("components") or []
