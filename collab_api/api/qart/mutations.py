"""importQuarterlyReturn: a returned workbook, uploaded with the GraphQL multipart request spec."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.payloads import Payload
from collab_api.graph import adoptions as adoption_graph
from collab_api.usecases.qart_import import DEFAULT_INTERVENTION, ImportRefused, import_return

MAX_BYTES = 10 * 1024 * 1024


class Upload(graphene.Scalar):
    """A file sent as a part of a multipart request (GraphQL multipart request spec)."""

    @staticmethod
    def serialize(value: Any) -> None:
        return None

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: Any, _variables: Any = None) -> Any:
        return None


class Counts(graphene.ObjectType):
    read = graphene.Int(required=True)
    accepted = graphene.Int(required=True)
    rejected = graphene.Int(required=True)


class ObservationCounts(graphene.ObjectType):
    created = graphene.Int(required=True)
    unchanged = graphene.Int(required=True)
    corrected = graphene.Int(required=True)


class CellRejection(graphene.ObjectType):
    sheet = graphene.String(required=True)
    cell = graphene.String(required=True, description="A cell (G7) or a whole row (7:7).")
    value = graphene.String()
    reason = graphene.String(required=True)


class SiteCreated(graphene.ObjectType):
    sheet = graphene.String(required=True)
    row = graphene.String(required=True)
    site = graphene.String(required=True)
    trust = graphene.String(required=True)


class SiteMoved(graphene.ObjectType):
    """A known site named under the trust its former trust merged into: it now belongs to it."""

    sheet = graphene.String(required=True)
    row = graphene.String(required=True)
    site = graphene.String(required=True)
    fromTrust = graphene.String(required=True)
    trust = graphene.String(required=True)


class PhaseChanged(graphene.ObjectType):
    """A site whose roll-out phase for this quarter the return changes (later quarters keep theirs)."""

    site = graphene.String(required=True)
    phaseFrom = graphene.Int(name="from")
    to = graphene.Int(required=True)

    @staticmethod
    def resolve_phaseFrom(row: dict[str, Any], info: Any) -> Any:
        return row["from"]


class WithdrawnAnswer(graphene.ObjectType):
    """An answer the earlier return (or a page) gave for a cell this return covers and leaves
    blank, or for a row it no longer has: withdrawn, kept in the history and the audit."""

    site = graphene.String(required=True)
    component = graphene.String(description="The component's key.")
    componentName = graphene.String()
    careSetting = graphene.String()
    quarter = graphene.String(required=True)
    stage = graphene.Int()
    notApplicable = graphene.String()

    @staticmethod
    async def resolve_componentName(row: dict[str, Any], info: Any) -> str | None:
        key = row.get("component")
        found = key and await context_of(info).loaders.keyed(adoption_graph.component_names).load(key)
        return found["name"] if found else None


class ImportSummary(graphene.ObjectType):
    file = graphene.String()
    quarter = graphene.String(required=True)
    intervention = graphene.String(required=True)
    collaborative = graphene.String()
    dryRun = graphene.Boolean(required=True)
    sheets = graphene.List(graphene.NonNull(graphene.String), required=True)
    missingSheets = graphene.List(graphene.NonNull(graphene.String), required=True)
    sheetsNotRead = graphene.List(graphene.NonNull(graphene.String), required=True,
                                  description="Other sheets present in the workbook (Intro, Medicines, MatNeo, ...), not read.")
    rows = graphene.Field(Counts, required=True)
    cells = graphene.Field(Counts, required=True)
    observations = graphene.Field(ObservationCounts, required=True)
    sitesCreated = graphene.List(graphene.NonNull(SiteCreated), required=True)
    sitesMoved = graphene.List(graphene.NonNull(SiteMoved), required=True)
    collaborativesFound = graphene.List(graphene.NonNull(graphene.String), required=True)
    rejections = graphene.List(graphene.NonNull(CellRejection), required=True)
    replaces = graphene.Boolean(required=True, description=(
        "The collaborative's return for this intervention and quarter was imported before: this one replaces it."))
    withdrawn = graphene.List(graphene.NonNull(WithdrawnAnswer), required=True)
    phasesChanged = graphene.List(graphene.NonNull(PhaseChanged), required=True)
    sitesNewToProgramme = graphene.List(graphene.NonNull(graphene.String), required=True,
                                        description="Sites the return enrols in the roll-out for the first time.")
    uploadId = graphene.ID(description="This upload, as listed by returnUploads (null for a dry run).")


class ImportReturnPayload(Payload):
    summary = graphene.Field(ImportSummary)


class ImportQuarterlyReturn(graphene.Mutation):
    """Read a returned QART workbook into the graph, in one transaction (or check it, with dryRun)."""

    class Arguments:
        file = Upload(required=True)
        quarter = graphene.String(description="e.g. '2026/27 Q2'; default: from the file name "
                                              "('UCLPartners HIN QART 2627 Q2 returned.xlsx' or '… 2026/27 Q2 …').")
        collaborative = graphene.String(description="Rows of trusts outside this collaborative are rejected.")
        intervention = graphene.ID(default_value=DEFAULT_INTERVENTION)
        dryRun = graphene.Boolean(default_value=False)
        confirm = graphene.Boolean(default_value=False, description=(
            "Import even where the file name or the workbook's own words (its Intro sheet, its sheets' titles) name another "
            "quarter or collaborative than the arguments: the arguments are right. Without it such a return is refused "
            "(code DISAGREES) naming both."))

    Output = ImportReturnPayload

    @staticmethod
    async def mutate(root: Any, info: Any, file: Any, quarter: str | None = None, collaborative: str | None = None,
                     intervention: str = DEFAULT_INTERVENTION, dryRun: bool = False, confirm: bool = False) -> dict[str, Any]:
        intervention = intervention or DEFAULT_INTERVENTION  # an explicit null means the default
        dryRun = bool(dryRun)
        if not hasattr(file, "read"):
            return {"errors": [{"field": "file", "code": "REQUIRED", "message": "send the workbook as a multipart file part"}]}
        data = await file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return {"errors": [{"field": "file", "code": "TOO_LARGE", "message": f"the file is over {MAX_BYTES // 1024 // 1024} MB"}]}
        try:
            summary = await import_return(context_of(info).graph, data, actor=context_of(info).viewer, quarter=quarter,
                                          collaborative=collaborative,
                                          intervention=intervention, dry_run=dryRun, filename=_file_name(file),
                                          confirm=bool(confirm))
        except ImportRefused as refused:
            message = str(refused)
            if refused.field == "quarter" and not quarter:
                message = message.replace("give the reporting quarter", "give the reporting quarter in the 'quarter' argument", 1)
            return {"errors": [{"field": refused.field, "code": refused.code, "message": message}]}
        return {"errors": [], "summary": summary.as_dict()}


def _file_name(file: Any) -> str | None:
    """The part's file name as sent: clients percent-encode spaces and other characters
    ('UCLPartners%20HIN%20QART%202627%20Q2.xlsx'); only the last path segment is kept."""
    name = getattr(file, "filename", None)
    return PurePosixPath(unquote(name).replace("\\", "/")).name or None if name else None


class QartMutations(graphene.ObjectType):
    importQuarterlyReturn = ImportQuarterlyReturn.Field()
