"""quarterlyReturnWorkbook: the workbook a collaborative fills in, optionally pre-filled."""

from __future__ import annotations

import base64
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.quarters import QuarterError
from collab_api.usecases.qart_export import ExportError, UnknownIntervention, past_uploads, workbook_for
from collab_api.usecases.qart_import import DEFAULT_INTERVENTION


class ReturnWorkbook(graphene.ObjectType):
    filename = graphene.String(required=True)
    contentBase64 = graphene.String(required=True, description="The .xlsx file, base64-encoded.")
    sites = graphene.Int(required=True)
    prefilledCells = graphene.Int(required=True)


class ReturnUpload(graphene.ObjectType):
    """One upload of a quarterly return: who, when, and what it changed."""

    id = graphene.ID(required=True)
    file = graphene.String()
    quarter = graphene.String(required=True)
    collaborative = graphene.String()
    importedAt = graphene.DateTime(required=True)
    importedBy = graphene.String(description="The person's name (their account id when their sign-in gave no name).")
    created = graphene.Int(required=True, description="New answers.")
    corrected = graphene.Int(required=True, description="Answers changed.")
    unchanged = graphene.Int(required=True)
    withdrawn = graphene.Int(required=True, description="Answers an earlier return gave that this one left out.")
    rejected = graphene.Int(required=True, description="Cells not accepted.")
    intervention = graphene.ID(description="The intervention the return is for.")
    interventionTitle = graphene.String()

    @staticmethod
    def resolve_importedBy(row: dict[str, Any], info: Any) -> str | None:
        return row.get("importedByName") or row.get("importedBy")


class QartQueries(graphene.ObjectType):
    returnUploads = graphene.List(graphene.NonNull(ReturnUpload), required=True, collaborative=graphene.String(),
                                  first=graphene.Int(default_value=50),
                                  description="Uploaded returns, newest first: a lead's own collaborative's; the national team's "
                                              "any (or every collaborative's, without one).")

    @staticmethod
    async def resolve_returnUploads(root: Any, info: Any, collaborative: str | None = None, first: int | None = 50) -> Any:
        context = context_of(info)
        return await past_uploads(context.graph, context.viewer, collaborative, 50 if first is None else first)

    quarterlyReturnWorkbook = graphene.Field(
        graphene.NonNull(ReturnWorkbook), collaborative=graphene.String(required=True),
        quarter=graphene.String(required=True), prefill=graphene.Boolean(default_value=False),
        intervention=graphene.ID(default_value=DEFAULT_INTERVENTION),
        description="The return workbook for a collaborative's organisations: for Martha's Rule the national QART "
                    "template's sites; for any other intervention a sheet per care setting, a column per component. With "
                    "prefill, each organisation's latest answer from any earlier quarter. For the collaborative's lead and "
                    "the national team.")

    @staticmethod
    async def resolve_quarterlyReturnWorkbook(root: Any, info: Any, collaborative: str, quarter: str,
                                              prefill: bool = False, intervention: str | None = None) -> dict[str, Any]:
        context = context_of(info)
        try:
            book = await workbook_for(context.graph, context.viewer, collaborative, quarter, prefill=bool(prefill),
                                      intervention=intervention or DEFAULT_INTERVENTION)
        except QuarterError as exc:
            raise InvalidInput([FieldProblem("quarter", "INVALID_QUARTER", str(exc))]) from exc
        except UnknownIntervention as exc:
            raise InvalidInput([FieldProblem("intervention", "NOT_FOUND", str(exc))]) from exc
        except ExportError as exc:
            raise InvalidInput([FieldProblem("collaborative", "NO_SITES", str(exc))]) from exc
        return {"filename": book.filename, "contentBase64": base64.b64encode(book.content).decode(),
                "sites": book.sites, "prefilledCells": book.prefilled_cells}
