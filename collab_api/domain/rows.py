"""The shapes of the rows that cross layers: what graph access returns, and what it is given
to write. Each is built (and its keys checked) in the graph-access function that runs the
query, so a caller reads typed keys and a typo is a type error, not a silent `None`.

TypedDicts rather than dataclasses because the GraphQL layer's default resolvers read rows as
mappings, and property names stay those of the graph (camelCase, as the Neo4j conventions say).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

# -- Reference: collaboratives, ICBs, organisations ------------------------------------------


class CollaborativeRow(TypedDict):
    code: str
    name: str
    formerName: str | None


class IcbRow(TypedDict):
    name: str


class OrganisationRow(TypedDict):
    odsCode: str
    name: str
    kind: str
    careSettings: list[str] | None
    synthetic: bool | None
    status: str | None
    closedOn: dt.date | None
    openedOn: dt.date | None
    postcode: str | None
    maternityAndNeonatal: bool | None  # listed on the QART maternity and neonatal sheet
    emergencyDepartment: bool | None  # listed on the QART emergency departments sheet
    easting: int | None  # the postcode's point on the British National Grid, metres
    northing: int | None
    postcodeSynthetic: bool | None  # a made-up postcode (demo organisations), not ODS's


class SuccessionRow(OrganisationRow):
    """The organisation on the other side of a succession, with its date."""

    successionDate: dt.date | None


class PriorityRow(TypedDict):
    id: str
    title: str
    harmArea: str | None
    rationale: str | None
    dateSet: dt.date | None
    status: str
    retiredOn: dt.date | None
    interventionsAll: int | None  # kept: how many interventions address it, drafts too (graph/priority_lists.py)
    interventionsPublished: int | None  # kept: published ones only
    firstInterventionsAll: list[str] | None  # kept: the first interventions' ids, titles and statuses, drafts too
    firstTitlesAll: list[str] | None
    firstStatusesAll: list[str] | None
    firstInterventionsPublished: list[str] | None  # kept: published ones only
    firstTitlesPublished: list[str] | None
    firstStatusesPublished: list[str] | None


# -- Interventions -----------------------------------------------------------------------------


class InterventionRow(TypedDict):
    id: str
    title: str
    summary: str
    status: str
    careSettings: list[str]
    harmArea: str | None
    tags: list[str] | None
    document: str | None
    version: int
    synthetic: bool | None
    nationalProgramme: bool | None
    evidenceTypes: list[str] | None
    evidenceStrength: int | None
    createdAt: dt.datetime | None
    updatedAt: dt.datetime | None


class InterventionCard(TypedDict):
    """What a list of interventions shows of each (the network overview's cards): kept on the
    priorities they address (graph/priority_lists.py)."""

    id: str
    title: str
    status: str


class SearchHitRow(InterventionRow):
    score: float
    reached: int   # organisations at stage 1 or above
    regions: int   # their collaboratives


class CandidateRow(InterventionRow):
    score: float


class VersionRow(TypedDict):
    key: str
    number: int
    interventionId: str
    title: str
    summary: str
    status: str
    careSettings: list[str]
    harmArea: str | None
    tags: list[str] | None
    document: str | None
    createdAt: dt.datetime
    note: str | None
    author: str | None
    authorName: str | None


class ComponentRow(TypedDict):
    key: str
    name: str
    description: str | None


class ComponentRef(TypedDict):
    key: str
    name: str


class OriginRow(TypedDict):
    collaborative: CollaborativeRow | None
    organisation: OrganisationRow | None


class InterventionState(TypedDict):
    """What an update or a status change is checked against."""

    id: str
    status: str
    version: int
    document: str | None
    collaborative: str | None
    everPublished: bool
    priorityIds: list[str]


class PublishingContext(TypedDict):
    collaborative: str | None
    organisation: str | None
    organisationInCollaborative: bool | None


# -- Priorities (writes) -----------------------------------------------------------------------


class PriorityState(TypedDict):
    id: str
    status: str
    collaborative: str


# -- Adoption ----------------------------------------------------------------------------------


class AdoptionRow(TypedDict):
    id: str
    key: str
    organisation: str
    interventionId: str
    componentKey: str | None
    careSetting: str | None
    currentStage: int | None
    currentQuarter: str | None
    currentNotApplicable: str | None
    createdAt: dt.datetime | None


class ObservationRow(TypedDict):
    key: str
    quarter: str
    quarterIndex: int
    stage: int | None
    notApplicable: str | None
    adaptations: str | None      # JSON list of {what, why}
    localResult: str | None
    observedOn: dt.date | None
    recordedAt: dt.datetime | None
    correctedAt: dt.datetime | None
    source: str | None
    interventionVersion: int | None


class SourceRow(TypedDict):
    """What an adoption learned from: exactly one of the three is set."""

    since: str | None
    organisation: str | None
    collaborative: str | None
    adoption: str | None


class RecordingContext(TypedDict):
    """Everything a new observation is checked against, read in its own transaction."""

    organisation: str | None
    organisationName: str | None
    intervention: str | None
    version: int | None
    appliedVersion: int | None   # the latest version made before the observation's quarter ended
    status: str | None
    interventionSettings: list[str] | None
    organisationSettings: list[str] | None   # its own and (for a trust) its sites'
    organisationStatus: str | None
    closedOn: dt.date | None
    successor: str | None
    successorName: str | None
    succeededOn: dt.date | None
    organisationTrust: str | None
    organisationCollaboratives: list[str]
    components: list[ComponentRef]
    sourceOrganisation: str | None
    sourceCollaborative: str | None
    sourceAdoptionOrganisation: str | None
    sourceAdoptionIntervention: str | None
    learning: list[list[str | None]]   # [learner ODS code, source ODS code] pairs


class ObservationContent(TypedDict):
    quarter: str
    quarterIndex: int
    stage: int | None
    notApplicable: str | None
    adaptations: str | None
    localResult: str | None
    observedOn: dt.date | None
    source: str | None


class ObservationWrite(TypedDict):
    """One validated observation to write (see `graph.adoptions.write_observations`)."""

    adoptionKey: str
    adoptionId: str
    organisation: str
    intervention: str
    componentKey: str | None
    careSetting: str | None
    observationKey: str
    observation: ObservationContent
    contentHash: str
    content: str
    version: int | None
    sourceKind: str | None
    sourceRef: str | None
    quarter: str
    quarterEnds: str                # the day after the quarter: the version that applied is the latest made before
    at: str
    contact: str | None
    # From a quarterly return: the facts of its quarter (the row's phase), which replace those the
    # observation kept; otherwise (None) an observation keeps its facts, or takes those in force now.
    returnFacts: ReturnFacts | None


class ReturnFacts(TypedDict):
    phase: int | None
    trust: str | None  # the trust the return names the site under (for an earlier quarter, one since merged)
    collaborative: str | None  # the collaborative whose return it is
    complete: bool  # every fact given: the writer looks none up
    returnKey: str  # the return (collaborative|intervention|quarter index) that wrote it


class WithdrawnRow(TypedDict):
    """An answer a resubmitted return leaves out (see `graph.returns`)."""

    key: str
    site: str
    component: str | None
    careSetting: str | None
    quarter: str
    stage: int | None
    notApplicable: str | None


class ObservationWritten(TypedDict):
    adoptionId: str
    observationKey: str
    outcome: str    # CREATED, UNCHANGED or CORRECTED


class LineageSource(TypedDict):
    since: str | None
    organisation: str | None
    organisationTrust: str | None   # when the source organisation is a site: its trust
    collaborative: str | None


class LineageOrigin(TypedDict):
    """Where an intervention came from, for lineage: the origin family is the originating
    organisation's sites and the organisations it took over, and their sites."""

    organisation: str | None
    collaborative: str | None
    nationalProgramme: bool
    family: list[str]


class LineageAdopter(TypedDict):
    """An organisation that adopted an intervention (its adoptions gathered), as lineage sees it."""

    odsCode: str
    collaborative: str | None
    trust: str | None               # for a site: its trust
    enrolled: bool                  # the organisation (or its trust) is enrolled in the roll-out
    currentStage: int | None        # the highest of its adoptions'
    reached: list[list[Any]]        # [[quarterIndex, observedOn]] of the first at stage 1 or above, or []
    sources: list[LineageSource]    # of all its adoptions


# -- Spread ------------------------------------------------------------------------------------


class EnrolledSite(TypedDict):
    """A site in an intervention's roll-out (or reporting on it): its trust, region and phase."""

    site: str
    siteName: str
    trust: str | None
    trustName: str | None
    collaborative: str | None
    phase: int | None
    phaseHistory: list[list[int]] | None  # [[from quarter index, phase], ...]; empty: enrolled, since unknown


class SiteObservations(EnrolledSite):
    """A reporting organisation with every observation of one intervention:
    [componentKey, careSetting, quarterIndex, stage, notApplicable] each."""

    observations: list[list[Any]]


class QuarterAnswers(EnrolledSite):
    """A site that answered in one quarter: [componentKey, careSetting, stage, notApplicable] each."""

    answers: list[list[Any]]


class NotApplicableReason(TypedDict):
    """The words a site gave for a not-applicable answer in one quarter."""

    component: str | None
    setting: str | None
    reason: str | None


class SiteState(TypedDict):
    """A site's answers to one intervention, with what its tallies are split by: its
    collaborative and roll-out phase, and each adoption's [componentKey, careSetting,
    answeredQuarters, answeredStages]."""

    site: str
    intervention: str
    collaborative: str | None
    phase: int | None
    enrolled: bool
    adoptions: list[list[Any]]
    phaseHistory: list[list[int]] | None  # [[from quarter index, phase], ...] as returns gave it; empty: unknown


class TallyRow(TypedDict):
    """One quarter's tally of a bucket: "collaborative|phase" -> vector (domain/spread_tally.py)."""

    quarter: int
    splits: dict[str, list[int]]


class SiteAnswers(EnrolledSite):
    """A reporting site with its adoptions' answers as kept on them: [componentKey,
    careSetting, answeredQuarters, answeredStages] each (-1: not applicable)."""

    adoptions: list[list[Any]]


class InterventionReach(TypedDict):
    """The origin region, and each adopter's [odsCode, collaborative, highest current stage]."""

    origin: str | None
    adopters: list[list[Any]]


# -- Finding -----------------------------------------------------------------------------------


class SearchPage(TypedDict):
    total: int
    rows: list[SearchHitRow]


class PeerAdopter(TypedDict):
    organisation: str
    name: str
    collaborative: str
    stage: int


class AdoptedBySimilar(TypedDict):
    intervention: InterventionRow
    why: list[PeerAdopter]


class ContactAdopter(TypedDict):
    organisation: str
    name: str
    icb: str | None
    collaborative: str | None
    stage: int | None
    contact: str
    careSettings: list[str]
    adoptedIn: list[str]            # the care settings of its adoptions


class AdoptersWithContacts(TypedDict):
    icb: str | None
    collaborative: str | None
    adopters: list[ContactAdopter]
    settings: list[str]             # the asking family's care settings
    delivered: list[str]            # the intervention's delivery settings


# -- Audit -------------------------------------------------------------------------------------


class AuditEventRow(TypedDict):
    id: str
    at: dt.datetime
    subject: str | None
    actorName: str | None
    role: str | None
    collaborative: str | None
    organisation: str | None
    operation: str
    entityKeys: list[str]
    summary: str | None


# -- The quarterly return ----------------------------------------------------------------------


class ReturnTrust(TypedDict):
    code: str
    kind: str
    icb: str | None
    collaboratives: list[str]


class ReturnSite(TypedDict):
    """A site named in a return as the graph has it: its trust, and the organisations that
    trust was succeeded by (a merger), nearest first."""

    code: str
    kind: str
    trust: str | None
    trustSuccessors: list[str]
    trustPredecessors: list[str]  # trusts that merged into its trust: a return for an earlier quarter may name them
    phase: int | None  # its roll-out phase now, and its dated history (for the phase in force in a quarter)
    phaseHistory: list[list[int]] | None


class ReturnContext(TypedDict):
    intervention: str | None
    collaborative: str | None
    components: list[ComponentRef]
    trusts: list[ReturnTrust]
    sites: list[ReturnSite]


class ReturnUploadRow(TypedDict):
    """One upload of a quarterly return: who, when, and what it changed."""

    id: str
    file: str | None
    quarter: str
    collaborative: str | None
    importedAt: dt.datetime
    importedBy: str | None
    importedByName: str | None
    created: int
    corrected: int
    unchanged: int
    withdrawn: int
    rejected: int
    intervention: str | None
    interventionTitle: str | None


class WorkbookCell(TypedDict):
    component: str | None
    setting: str | None
    stage: int | None
    notApplicable: str | None
    quarter: str | None  # the quarter the answer was reported for
    quarterIndex: int | None


class HarmAreaUse(TypedDict):
    """A harm area as interventions and priorities name it, and how many of each."""

    name: str
    interventions: int
    priorities: int


class WorkbookOrganisation(TypedDict):
    """An organisation a return of the platform's own layout lists, with every answer it gave
    before the quarter (the writer keeps each cell's latest)."""

    code: str
    name: str
    careSettings: list[str]
    cells: list[WorkbookCell]


class ReturnHead(TypedDict):
    """An intervention as its return needs it: its title, components and care settings."""

    id: str
    title: str
    components: list[ComponentRef]
    careSettings: list[str]


class ReturnOrganisation(TypedDict):
    """An organisation named in a return of the platform's own layout, as the graph has it."""

    code: str
    kind: str
    collaboratives: list[str]


class WorkbookSite(TypedDict):
    trustCode: str
    trustName: str
    siteCode: str
    siteName: str
    phase: int | None
    maternityAndNeonatal: bool | None
    emergencyDepartment: bool | None
    cells: list[WorkbookCell]


class WorkbookTrust(TypedDict):
    code: str
    name: str


class WorkbookIcb(TypedDict):
    """One of the collaborative's ICBs with its trusts, for the Medicines and MatNeo sheets."""

    name: str
    code: str | None
    trusts: list[WorkbookTrust]



class EvidenceReviewRow(TypedDict):
    """One submission of an intervention's evidence, and its review once done (graph.evidence_reviews)."""

    id: str
    state: str  # AWAITING or REVIEWED
    submittedBy: str
    submittedAt: Any
    note: str | None
    rating: str | None
    criteria: list[str] | None
    reasons: str | None
    reviewedBy: str | None
    reviewedAt: Any
    dueOn: Any


class ReviewQueueRow(TypedDict):
    intervention: str
    title: str
    status: str
    collaborative: str | None
    submittedAt: Any
    note: str | None
