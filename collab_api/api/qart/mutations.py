"""importQuarterlyReturn: a returned workbook, uploaded with the GraphQL multipart request spec."""

from __future__ import annotations

from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.api.core.payloads import Payload
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


class ImportSummary(graphene.ObjectType):
    file = graphene.String()
    quarter = graphene.String(required=True)
    intervention = graphene.String(required=True)
    collaborative = graphene.String()
    dryRun = graphene.Boolean(required=True)
    sheets = graphene.List(graphene.NonNull(graphene.String), required=True)
    missingSheets = graphene.List(graphene.NonNull(graphene.String), required=True)
    rows = graphene.Field(Counts, required=True)
    cells = graphene.Field(Counts, required=True)
    observations = graphene.Field(ObservationCounts, required=True)
    sitesCreated = graphene.List(graphene.NonNull(SiteCreated), required=True)
    collaborativesFound = graphene.List(graphene.NonNull(graphene.String), required=True)
    rejections = graphene.List(graphene.NonNull(CellRejection), required=True)


class ImportReturnPayload(Payload):
    summary = graphene.Field(ImportSummary)


class ImportQuarterlyReturn(graphene.Mutation):
    """Read a returned QART workbook into the graph, in one transaction (or check it, with dryRun)."""

    class Arguments:
        file = Upload(required=True)
        quarter = graphene.String(description="e.g. '2025/26 Q1'; default: from the file name.")
        collaborative = graphene.String(description="Rows of trusts outside this collaborative are rejected.")
        intervention = graphene.ID(default_value=DEFAULT_INTERVENTION)
        dryRun = graphene.Boolean(default_value=False)

    Output = ImportReturnPayload

    @staticmethod
    async def mutate(root: Any, info: Any, file: Any, quarter: str | None = None, collaborative: str | None = None,
                     intervention: str = DEFAULT_INTERVENTION, dryRun: bool = False) -> dict[str, Any]:
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
                                          intervention=intervention, dry_run=dryRun, filename=getattr(file, "filename", None))
        except ImportRefused as refused:
            return {"errors": [{"field": "file", "code": "REFUSED", "message": str(refused)}]}
        return {"errors": [], "summary": summary.as_dict()}


class QartMutations(graphene.ObjectType):
    importQuarterlyReturn = ImportQuarterlyReturn.Field()
