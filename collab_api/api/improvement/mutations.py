"""recordMeasureValues, recordPdsaCycle, createImprovementPartnership, publishImprovementPlan,
publishPlanUpdate, recordInspection, recordSpecialMeasures: one transaction each, audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.inputs import plain
from collab_api.api.core.payloads import Payload, run_mutation
from collab_api.api.improvement.types import (
    ImprovementDirection, ImprovementPartnership, ImprovementPlan, Inspection, MeasureChart, PdsaAct, PdsaCycle, PeriodType,
    PlanStatus, Rating, SpecialMeasuresPeriod,
)
from collab_api.graph import improvement as improvement_graph
from collab_api.graph import partnerships as partnership_graph
from collab_api.usecases import measure_corrections, measuring, partnering


class PointInput(graphene.InputObjectType):
    period = graphene.String(required=True, description="'2025-04' for a month, '2025-W14' for an ISO week.")
    value = graphene.Float(description="The value; for a rate give numerator and denominator instead.")
    numerator = graphene.Float()
    denominator = graphene.Float()


class AnnotationInput(graphene.InputObjectType):
    period = graphene.String(required=True)
    kind = graphene.String(description="CHANGE (default), PDSA_STARTED or OTHER.")
    text = graphene.String(required=True)


class RecordMeasureValuesInput(graphene.InputObjectType):
    organisation = graphene.String(required=True, description="ODS code of the adopting organisation.")
    intervention = graphene.ID(required=True)
    measure = graphene.String(required=True, description="One of the intervention's measures, by name.")
    periodType = PeriodType(default_value="MONTH")
    improvement = ImprovementDirection(description="Which way is better, for the chart's icons.")
    ratePer = graphene.Float(description="For a rate: value = numerator ÷ denominator × ratePer (default 100, a percentage; "
                                         "1000 for 'per 1,000').")
    points = graphene.List(graphene.NonNull(PointInput), description="Add or correct these periods' values.")
    annotations = graphene.List(graphene.NonNull(AnnotationInput))


class MeasureValuesPayload(Payload):
    created = graphene.Int()
    corrected = graphene.Int()
    chart = graphene.Field(MeasureChart)


async def _chart(info: Any, organisation: str, intervention: str, key: str) -> Any:
    charts = await measuring.charts_for(context_of(info).graph, organisation, intervention, context_of(info).visibility,
                                        measure=key)
    return charts[0]


async def _with_chart(info: Any, input: Any, usecase: Callable[..., Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Run a write to a measure series; the payload carries the chart as it now is."""
    given = plain(input)

    async def then(result: dict[str, Any]) -> dict[str, Any]:
        return {"chart": await _chart(info, given["organisation"].upper(), given["intervention"], result["seriesKey"])}

    return await run_mutation(lambda: usecase(context_of(info).graph, given, context_of(info).viewer), then)


def _by_id(rows: dict[Any, list[dict[str, Any]]], code: str, identifier: str) -> Any:
    """The record `identifier` among an organisation's (inspections, special measures periods)."""
    return next((row for row in rows.get(code, []) if row["id"] == identifier), None)


class RecordMeasureValues(graphene.Mutation):
    """Record (or correct) an adopting organisation's values of one of the intervention's measures."""

    class Arguments:
        input = RecordMeasureValuesInput(required=True)

    Output = MeasureValuesPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        return await _with_chart(info, input, measuring.record_measure_values)


class WithdrawMeasurePointInput(graphene.InputObjectType):
    organisation = graphene.String(required=True)
    intervention = graphene.ID(required=True)
    measure = graphene.String(required=True)
    period = graphene.String(required=True, description="The period whose value was wrong; record it again to restore it.")
    reason = graphene.String(required=True, description="Why it is withdrawn; kept and shown under the chart.")


class SetMeasureBaselineInput(graphene.InputObjectType):
    organisation = graphene.String(required=True)
    intervention = graphene.ID(required=True)
    measure = graphene.String(required=True)
    fromPeriod = graphene.String(description="Default: the first period. A later one must be where a change was recorded "
                                             "(an annotated CHANGE or PDSA_STARTED, or a PDSA cycle started then).")
    points = graphene.Int(description="How many points from fromPeriod the limits come from (default: all of that phase).")
    reason = graphene.String(required=True)


class WithdrawMeasurePoint(graphene.Mutation):
    """Withdraw a wrong point: it is kept, with why, but no longer drawn; the chart is recalculated."""

    class Arguments:
        input = WithdrawMeasurePointInput(required=True)

    Output = MeasureValuesPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        return await _with_chart(info, input, measure_corrections.withdraw_measure_point)


class SetMeasureBaseline(graphene.Mutation):
    """Fix a chart's limits from its first points, or re-set them at a recorded change, with the reason."""

    class Arguments:
        input = SetMeasureBaselineInput(required=True)

    Output = MeasureValuesPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        return await _with_chart(info, input, measure_corrections.set_measure_baseline)


class PdsaCycleInput(graphene.InputObjectType):
    id = graphene.ID(description="To record how a cycle already started went; omit to start one.")
    organisation = graphene.String(required=True)
    intervention = graphene.ID(required=True)
    change = graphene.String(required=True, description="Plan: the change tried.")
    prediction = graphene.String(required=True, description="Plan: what was expected to happen.")
    startedOn = graphene.Date(required=True, description="Do: when it was first tried.")
    endedOn = graphene.Date()
    study = graphene.String(description="Study: what the data showed.")
    measure = graphene.String(description="The measure whose points the study looked at.")
    studyFrom = graphene.String(description="First period studied, e.g. '2025-04'.")
    studyTo = graphene.String()
    act = PdsaAct(description="Act: adopt, adapt or abandon the change.")
    adaptation = graphene.String(description="What was adapted and why (required with ADAPT).")


class PdsaCyclePayload(Payload):
    cycle = graphene.Field(PdsaCycle)


class RecordPdsaCycle(graphene.Mutation):
    """Start a PDSA cycle on an organisation's adoption, or record its study and act."""

    class Arguments:
        input = PdsaCycleInput(required=True)

    Output = PdsaCyclePayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        async def then(result: dict[str, Any]) -> dict[str, Any]:
            return {"cycle": (await improvement_graph.cycle_rows(context_of(info).graph, [result["cycleId"]])).get(result["cycleId"])}

        return await run_mutation(lambda: measuring.record_pdsa_cycle(context_of(info).graph, plain(input), context_of(info).viewer), then)


class DirectorInput(graphene.InputObjectType):
    role = graphene.String(required=True, description="e.g. 'Improvement director, NHS England'.")
    name = graphene.String(description="Only with consented: true.")
    consented = graphene.Boolean(description="They agreed to be named as a contact.")


class PartnershipInput(graphene.InputObjectType):
    supporting = graphene.String(required=True, description="ODS code of the supporting trust.")
    supported = graphene.String(required=True, description="ODS code of the supported trust.")
    contractingBody = graphene.String(required=True)
    startsOn = graphene.Date(required=True)
    endsOn = graphene.Date()
    scope = graphene.List(graphene.NonNull(graphene.String), required=True, description="Services or themes covered.")
    improvementDirector = DirectorInput(required=True)
    interventions = graphene.List(graphene.NonNull(graphene.ID), description="Shared from the supporting trust.")


class PartnershipPayload(Payload):
    partnership = graphene.Field(ImprovementPartnership)


class CreateImprovementPartnership(graphene.Mutation):
    """Partner a supporting trust with a supported one (the national team)."""

    class Arguments:
        input = PartnershipInput(required=True)

    Output = PartnershipPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        async def then(result: dict[str, Any]) -> dict[str, Any]:
            found = await partnership_graph.partnerships_by_ids(context_of(info).graph, [result["partnershipId"]])
            return {"partnership": found.get(result["partnershipId"])}

        return await run_mutation(lambda: partnering.create_partnership(context_of(info).graph, plain(input), context_of(info).viewer), then)


class PlanActionInput(graphene.InputObjectType):
    title = graphene.String(required=True)
    theme = graphene.String(required=True)
    ownerRole = graphene.String(required=True, description="A role, never a person's name.")
    dueOn = graphene.Date(required=True)
    measure = graphene.String()


class PlanInput(graphene.InputObjectType):
    organisation = graphene.String(required=True, description="ODS code of the supported organisation.")
    title = graphene.String(required=True)
    partnership = graphene.ID()
    actions = graphene.List(graphene.NonNull(PlanActionInput), required=True)


class PlanPayload(Payload):
    plan = graphene.Field(ImprovementPlan)


async def _plan(info: Any, result: dict[str, Any]) -> dict[str, Any]:
    return {"plan": (await partnership_graph.plans_by_ids(context_of(info).graph, [result["planId"]])).get(result["planId"])}


class PublishImprovementPlan(graphene.Mutation):
    """Publish a supported organisation's improvement plan (public from then on)."""

    class Arguments:
        input = PlanInput(required=True)

    Output = PlanPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        return await run_mutation(lambda: partnering.publish_plan(context_of(info).graph, plain(input), context_of(info).viewer),
                             lambda result: _plan(info, result))


class ActionUpdateInput(graphene.InputObjectType):
    action = graphene.ID(required=True)
    status = PlanStatus(required=True)
    progress = graphene.String(required=True)
    latestValue = graphene.Float(description="The action's measure, where it has one.")


class PlanUpdateInput(graphene.InputObjectType):
    plan = graphene.ID(required=True)
    month = graphene.String(required=True, description="e.g. '2026-11'.")
    updates = graphene.List(graphene.NonNull(ActionUpdateInput), required=True)


class PublishPlanUpdate(graphene.Mutation):
    """Publish a month's update of a plan: kept beside every earlier one, never replacing it."""

    class Arguments:
        input = PlanUpdateInput(required=True)

    Output = PlanPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        return await run_mutation(lambda: partnering.publish_plan_update(context_of(info).graph, plain(input), context_of(info).viewer),
                             lambda result: _plan(info, result))


class InspectionInput(graphene.InputObjectType):
    organisation = graphene.String(required=True)
    inspectedOn = graphene.Date(required=True)
    overall = Rating(required=True)
    safe = Rating()
    effective = Rating()
    caring = Rating()
    responsive = Rating()
    wellLed = Rating()
    source = graphene.String(required=True, description="Where the rating was published.")


class InspectionPayload(Payload):
    inspection = graphene.Field(Inspection)


class RecordInspection(graphene.Mutation):
    """Record a regulator's rating of an organisation (the national team)."""

    class Arguments:
        input = InspectionInput(required=True)

    Output = InspectionPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        given = plain(input)

        async def then(result: dict[str, Any]) -> dict[str, Any]:
            code = given["organisation"].strip().upper()
            found = await partnership_graph.inspections_of(context_of(info).graph, [code])
            return {"inspection": _by_id(found, code, result["inspectionId"])}

        return await run_mutation(lambda: partnering.record_inspection(context_of(info).graph, given, context_of(info).viewer), then)


class SpecialMeasuresInput(graphene.InputObjectType):
    organisation = graphene.String(required=True)
    regime = graphene.String(description="Default 'Special measures'; or its successor regime.")
    enteredOn = graphene.Date(required=True)
    exitedOn = graphene.Date()
    source = graphene.String(required=True)


class SpecialMeasuresPayload(Payload):
    period = graphene.Field(SpecialMeasuresPeriod)


class RecordSpecialMeasures(graphene.Mutation):
    """Record a period in special measures (the national team)."""

    class Arguments:
        input = SpecialMeasuresInput(required=True)

    Output = SpecialMeasuresPayload

    @staticmethod
    async def mutate(root: Any, info: Any, input: Any) -> dict[str, Any]:
        given = plain(input)

        async def then(result: dict[str, Any]) -> dict[str, Any]:
            code = given["organisation"].strip().upper()
            found = await partnership_graph.special_measures_of(context_of(info).graph, [code])
            return {"period": _by_id(found, code, result["periodId"])}

        return await run_mutation(lambda: partnering.record_special_measures(context_of(info).graph, given, context_of(info).viewer), then)


class ImprovementMutations(graphene.ObjectType):
    recordMeasureValues = RecordMeasureValues.Field()
    recordPdsaCycle = RecordPdsaCycle.Field()
    withdrawMeasurePoint = WithdrawMeasurePoint.Field()
    setMeasureBaseline = SetMeasureBaseline.Field()
    createImprovementPartnership = CreateImprovementPartnership.Field()
    publishImprovementPlan = PublishImprovementPlan.Field()
    publishPlanUpdate = PublishPlanUpdate.Field()
    recordInspection = RecordInspection.Field()
    recordSpecialMeasures = RecordSpecialMeasures.Field()
