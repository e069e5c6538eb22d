"""Measuring improvement (measures over time, XmR charts, PDSA cycles) and trusts helping trusts
(partnerships, improvement plans, inspections)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.domain.partnership import update_overdue
from collab_api.graph import interventions as intervention_graph
from collab_api.graph import organisations as organisation_graph
from collab_api.graph import partnerships as partnership_graph


class PeriodType(graphene.Enum):
    MONTH = "MONTH"
    WEEK = "WEEK"


class ImprovementDirection(graphene.Enum):
    UP = "UP"
    DOWN = "DOWN"
    NEITHER = "NEITHER"


class Rating(graphene.Enum):
    INADEQUATE = "INADEQUATE"
    REQUIRES_IMPROVEMENT = "REQUIRES_IMPROVEMENT"
    GOOD = "GOOD"
    OUTSTANDING = "OUTSTANDING"


class PdsaAct(graphene.Enum):
    ADOPT = "ADOPT"
    ADAPT = "ADAPT"
    ABANDON = "ABANDON"


class PlanStatus(graphene.Enum):
    NOT_STARTED = "NOT_STARTED"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    COMPLETE = "COMPLETE"


async def _organisation(code: str | None, info: Any) -> Any:
    return code and await context_of(info).loaders.keyed(organisation_graph.by_codes).load(code)


class MeasurePoint(graphene.ObjectType):
    period = graphene.String(required=True, description="'2025-04' (a month) or '2025-W14' (an ISO week).")
    periodStart = graphene.Date(required=True)
    value = graphene.Float(required=True, description="For a rate: numerator ÷ denominator × the chart's ratePer.")
    numerator = graphene.Float()
    denominator = graphene.Float()
    movingRange = graphene.Float(description="|this value - the one before|; null for the first point.")
    pointType = graphene.String(required=True, description="COMMON_CAUSE, SPECIAL_CAUSE_IMPROVEMENT, SPECIAL_CAUSE_CONCERN, "
                                                           "SPECIAL_CAUSE_HIGH or SPECIAL_CAUSE_LOW.")
    annotations = graphene.List(graphene.NonNull(graphene.String), required=True)
    phase = graphene.Int(required=True, description="Which phase of the chart (1 unless its limits were re-set).")
    mean = graphene.Float(description="The mean of this point's phase.")
    upperLimit = graphene.Float(description="The upper process limit of this point's phase.")
    lowerLimit = graphene.Float(description="The lower process limit of this point's phase.")


class ChartPhase(graphene.ObjectType):
    """A stretch of the chart with its own limits: from the first point, or from a recorded change."""

    number = graphene.Int(required=True)
    fromPeriod = graphene.String()
    toPeriod = graphene.String()
    baselinePoints = graphene.Int(required=True, description="How many of its first points the limits come from.")
    mean = graphene.Float()
    upperLimit = graphene.Float()
    lowerLimit = graphene.Float()
    fixed = graphene.Boolean(required=True, description="Whether its limits were fixed (with a reason) or follow its points.")
    reason = graphene.String()
    setAt = graphene.DateTime()


class PdsaMarker(graphene.ObjectType):
    """A PDSA cycle drawn on the chart at the period it started in."""

    number = graphene.Int(required=True)
    period = graphene.String(required=True)
    change = graphene.String(required=True)
    act = graphene.Field(lambda: PdsaAct)
    id = graphene.ID(required=True)


class WithdrawnPoint(graphene.ObjectType):
    period = graphene.String(required=True)
    value = graphene.Float(required=True)
    reason = graphene.String(required=True)
    withdrawnAt = graphene.DateTime(required=True)


class ChartSignal(graphene.ObjectType):
    rule = graphene.String(required=True, description="OUTSIDE_LIMITS, SHIFT, TREND or TWO_OF_THREE.")
    description = graphene.String(required=True)
    fromPeriod = graphene.String(required=True)
    toPeriod = graphene.String(required=True)
    direction = graphene.String(required=True, description="HIGH or LOW.")


class Icon(graphene.ObjectType):
    """A Making Data Count icon, with its meaning in words."""

    code = graphene.String(required=True)
    meaning = graphene.String(required=True)


class MeasureChart(graphene.ObjectType):
    """An XmR chart (NHS 'Making Data Count'): mean and process limits from the baseline points."""

    measure = graphene.String(required=True)
    kind = graphene.String(description="OUTCOME, PROCESS or BALANCING.")
    periodType = graphene.Field(PeriodType, required=True)
    isRate = graphene.Boolean()
    ratePer = graphene.Float(description="For a rate: value = numerator ÷ denominator × ratePer.")
    improvement = graphene.Field(ImprovementDirection, required=True)
    target = graphene.Float()
    baselinePoints = graphene.Int(required=True, description="How many points of the current phase the limits come from.")
    mean = graphene.Float(description="Of the current (last) phase.")
    upperLimit = graphene.Float(description="Upper process limit: mean + 2.66 × mean moving range.")
    lowerLimit = graphene.Float(description="Lower process limit: mean - 2.66 × mean moving range.")
    meanMovingRange = graphene.Float()
    points = graphene.List(graphene.NonNull(MeasurePoint), required=True)
    signals = graphene.List(graphene.NonNull(ChartSignal), required=True)
    variation = graphene.Field(Icon, description="From the latest point.")
    assurance = graphene.Field(Icon, description="With a target and a direction of improvement.")
    warnings = graphene.List(graphene.NonNull(graphene.String), required=True)
    phases = graphene.List(graphene.NonNull(ChartPhase), required=True, description="In order; the last is the current process.")
    pdsaCycles = graphene.List(graphene.NonNull(PdsaMarker), required=True, description="Cycles started over the chart's span.")
    withdrawn = graphene.List(graphene.NonNull(WithdrawnPoint), required=True, description="Points withdrawn, with why; not drawn.")
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    intervention = graphene.Field("collab_api.api.interventions.types.Intervention")

    @staticmethod
    def resolve_measure(chart: dict[str, Any], info: Any) -> str:
        return str(chart["series"]["measure"])

    @staticmethod
    def resolve_kind(chart: dict[str, Any], info: Any) -> Any:
        return chart["series"]["kind"]

    @staticmethod
    def resolve_periodType(chart: dict[str, Any], info: Any) -> Any:
        return chart["series"]["periodType"]

    @staticmethod
    def resolve_isRate(chart: dict[str, Any], info: Any) -> Any:
        return chart["series"]["isRate"]

    @staticmethod
    def resolve_ratePer(chart: dict[str, Any], info: Any) -> Any:
        return chart["series"]["ratePer"]

    @staticmethod
    async def resolve_organisation(chart: dict[str, Any], info: Any) -> Any:
        return await _organisation(chart["series"]["organisation"], info)

    @staticmethod
    async def resolve_intervention(chart: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load(
            chart["series"]["interventionId"])


class PdsaCycle(graphene.ObjectType):
    """Plan (the change, the prediction), do (dates), study (what the data showed, over which
    periods of a measure), act (adopt, adapt or abandon, and what was adapted)."""

    id = graphene.ID(required=True)
    change = graphene.String(required=True)
    prediction = graphene.String(required=True)
    startedOn = graphene.Date(required=True)
    endedOn = graphene.Date()
    study = graphene.String()
    measure = graphene.String()
    studyFrom = graphene.String()
    studyTo = graphene.String()
    act = graphene.Field(PdsaAct)
    adaptation = graphene.String()
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation",
                                  description="Which adopter ran it: for signed-in readers.")

    @staticmethod
    async def resolve_organisation(cycle: dict[str, Any], info: Any) -> Any:
        return None if context_of(info).viewer.is_anonymous else await _organisation(cycle["organisation"], info)


class PdsaSummary(graphene.ObjectType):
    cycles = graphene.Int(required=True)
    organisations = graphene.Int(required=True, description="Adopters that ran at least one cycle.")
    adopted = graphene.Int(required=True)
    adapted = graphene.Int(required=True)
    abandoned = graphene.Int(required=True)
    open = graphene.Int(required=True, description="Cycles with no act yet.")
    items = graphene.List(graphene.NonNull(PdsaCycle), required=True, description="Newest first: what they changed and why.")


class ImprovementDirector(graphene.ObjectType):
    role = graphene.String(required=True)
    name = graphene.String(description="Only when they agreed to be named as a contact.")


class ImprovementPartnership(graphene.ObjectType):
    id = graphene.ID(required=True)
    supporting = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    supported = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    contractingBody = graphene.String(required=True)
    startsOn = graphene.Date(required=True)
    endsOn = graphene.Date()
    scope = graphene.List(graphene.NonNull(graphene.String), required=True)
    improvementDirector = graphene.Field(ImprovementDirector, required=True)
    interventions = graphene.List(graphene.NonNull("collab_api.api.interventions.types.Intervention"), required=True,
                                  description="Shared from the supporting trust.")
    isSynthetic = graphene.Boolean(required=True)

    @staticmethod
    async def resolve_supporting(row: dict[str, Any], info: Any) -> Any:
        return await _organisation(row["supporting"], info)

    @staticmethod
    async def resolve_supported(row: dict[str, Any], info: Any) -> Any:
        return await _organisation(row["supported"], info)

    @staticmethod
    def resolve_improvementDirector(row: dict[str, Any], info: Any) -> Any:
        return {"role": row["directorRole"], "name": row["directorName"]}

    @staticmethod
    async def resolve_interventions(row: dict[str, Any], info: Any) -> Any:
        found = await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load_many(
            row["interventions"])
        return [i for i in found if i]

    @staticmethod
    def resolve_isSynthetic(row: dict[str, Any], info: Any) -> bool:
        return bool(row["synthetic"])


class PlanUpdate(graphene.ObjectType):
    id = graphene.ID(required=True)
    month = graphene.String(required=True)
    status = graphene.Field(PlanStatus, required=True)
    progress = graphene.String(required=True)
    latestValue = graphene.Float(description="The action's measure, where it has one.")
    publishedAt = graphene.DateTime()


class PlanAction(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    theme = graphene.String(required=True)
    ownerRole = graphene.String(required=True)
    dueOn = graphene.Date()
    measure = graphene.String()
    latest = graphene.Field(PlanUpdate)
    history = graphene.List(graphene.NonNull(PlanUpdate), required=True, description="Every update, newest first; none is ever changed.")

    @staticmethod
    def resolve_history(action: dict[str, Any], info: Any) -> Any:
        return sorted(action["updates"], key=lambda u: (u["month"], str(u["publishedAt"])), reverse=True)

    @staticmethod
    def resolve_latest(action: dict[str, Any], info: Any) -> Any:
        history = PlanAction.resolve_history(action, info)
        return history[0] if history else None


class ImprovementPlan(graphene.ObjectType):
    """A supported organisation's improvement plan, published for anyone to read, with every
    monthly update kept."""

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    publishedOn = graphene.Date(required=True)
    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    partnership = graphene.Field(ImprovementPartnership)
    latestMonth = graphene.String(description="The latest month with an update.")
    updateOverdue = graphene.Boolean(required=True, description="No update for last month (plans published before it).")
    actions = graphene.List(graphene.NonNull(PlanAction), required=True)
    isSynthetic = graphene.Boolean(required=True)

    @staticmethod
    async def resolve_organisation(plan: dict[str, Any], info: Any) -> Any:
        return await _organisation(plan["organisation"], info)

    @staticmethod
    async def resolve_partnership(plan: dict[str, Any], info: Any) -> Any:
        return plan["partnership"] and await context_of(info).loaders.keyed(partnership_graph.partnerships_by_ids).load(plan["partnership"])

    @staticmethod
    def resolve_updateOverdue(plan: dict[str, Any], info: Any) -> bool:
        return update_overdue(plan["publishedOn"], plan["latestMonth"], dt.date.today())

    @staticmethod
    async def resolve_actions(plan: dict[str, Any], info: Any) -> Any:
        return await context_of(info).loaders.keyed(partnership_graph.actions_of, list).load(plan["id"])

    @staticmethod
    def resolve_isSynthetic(plan: dict[str, Any], info: Any) -> bool:
        return bool(plan["synthetic"])


class Inspection(graphene.ObjectType):
    id = graphene.ID(required=True)
    inspectedOn = graphene.Date(required=True)
    overall = graphene.Field(Rating, required=True)
    safe = graphene.Field(Rating)
    effective = graphene.Field(Rating)
    caring = graphene.Field(Rating)
    responsive = graphene.Field(Rating)
    wellLed = graphene.Field(Rating)
    source = graphene.String()
    isSynthetic = graphene.Boolean(required=True)

    @staticmethod
    def resolve_isSynthetic(row: dict[str, Any], info: Any) -> bool:
        return bool(row["synthetic"])


class SpecialMeasuresPeriod(graphene.ObjectType):
    id = graphene.ID(required=True)
    regime = graphene.String(required=True, description="Special measures, or the regime that succeeded it.")
    enteredOn = graphene.Date()
    exitedOn = graphene.Date()
    source = graphene.String()
    isSynthetic = graphene.Boolean(required=True)

    @staticmethod
    def resolve_isSynthetic(row: dict[str, Any], info: Any) -> bool:
        return bool(row["synthetic"])


class Improvement(graphene.ObjectType):
    """How an organisation turned it round, and what it originated or adopted meanwhile."""

    organisation = graphene.Field("collab_api.api.organisations.types.Organisation", required=True)
    kind = graphene.String(required=True, description="RATING (a better overall rating at the next inspection), "
                                                      "SPECIAL_MEASURES (left them) or DOCUMENTED (the fact is recorded, "
                                                      "not its dates).")
    fromRating = graphene.Field(Rating)
    toRating = graphene.Field(Rating)
    fromDate = graphene.Date()
    toDate = graphene.Date()
    source = graphene.String()
    isSynthetic = graphene.Boolean(required=True)
    interventionsOriginated = graphene.List(graphene.NonNull("collab_api.api.interventions.types.Intervention"), required=True)
    interventionsAdopted = graphene.List(graphene.NonNull("collab_api.api.interventions.types.Intervention"), required=True)

    @staticmethod
    async def resolve_organisation(row: dict[str, Any], info: Any) -> Any:
        return await _organisation(row["organisation"], info)

    @staticmethod
    def resolve_isSynthetic(row: dict[str, Any], info: Any) -> bool:
        return bool(row["synthetic"])

    @staticmethod
    async def resolve_interventionsOriginated(row: dict[str, Any], info: Any) -> Any:
        found = await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load_many(row["originated"])
        return [i for i in found if i]

    @staticmethod
    async def resolve_interventionsAdopted(row: dict[str, Any], info: Any) -> Any:
        found = await context_of(info).loaders.keyed(intervention_graph.by_ids, viewer=context_of(info).visibility).load_many(row["adopted"])
        return [i for i in found if i]
