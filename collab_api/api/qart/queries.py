"""quarterlyReturnWorkbook: the workbook a collaborative fills in, optionally pre-filled."""

from __future__ import annotations

import base64
from typing import Any

import graphene

from collab_api.api.context import context_of
from collab_api.domain.errors import FieldProblem, InvalidInput
from collab_api.domain.quarters import QuarterError
from collab_api.usecases.qart_export import ExportError, workbook_for


class ReturnWorkbook(graphene.ObjectType):
    filename = graphene.String(required=True)
    contentBase64 = graphene.String(required=True, description="The .xlsx file, base64-encoded.")
    sites = graphene.Int(required=True)
    prefilledCells = graphene.Int(required=True)


class QartQueries(graphene.ObjectType):
    quarterlyReturnWorkbook = graphene.Field(
        graphene.NonNull(ReturnWorkbook), collaborative=graphene.String(required=True),
        quarter=graphene.String(required=True), prefill=graphene.Boolean(default_value=False),
        description="The Martha's Rule return workbook for a collaborative's sites; with prefill, last quarter's stages. "
                    "For the collaborative's lead and the national team.")

    @staticmethod
    async def resolve_quarterlyReturnWorkbook(root: Any, info: Any, collaborative: str, quarter: str,
                                              prefill: bool = False) -> dict[str, Any]:
        context = context_of(info)
        try:
            book = await workbook_for(context.graph, context.viewer, collaborative, quarter, prefill=bool(prefill))
        except QuarterError as exc:
            raise InvalidInput([FieldProblem("quarter", "INVALID_QUARTER", str(exc))]) from exc
        except ExportError as exc:
            raise InvalidInput([FieldProblem("collaborative", "NO_SITES", str(exc))]) from exc
        return {"filename": book.filename, "contentBase64": base64.b64encode(book.content).decode(),
                "sites": book.sites, "prefilledCells": book.prefilled_cells}
