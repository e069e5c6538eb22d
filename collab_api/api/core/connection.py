"""Relay-style connections with totalCount, built from the domain's Page."""

from __future__ import annotations

from functools import cache
from typing import Any

import graphene

from collab_api.domain.paging import Page


class PageInfo(graphene.ObjectType):
    hasNextPage = graphene.Boolean(required=True)
    hasPreviousPage = graphene.Boolean(required=True)
    startCursor = graphene.String()
    endCursor = graphene.String()


@cache
def connection_of(node: type[graphene.ObjectType]) -> type[graphene.ObjectType]:
    """`XConnection { edges { cursor node } nodes pageInfo totalCount }` for node type X."""
    name = node._meta.name

    edge = type(f"{name}Edge", (graphene.ObjectType,), {
        "cursor": graphene.String(required=True),
        "node": graphene.Field(node, required=True),
    })

    def resolve_edges(page: Page, info: Any) -> list[dict[str, Any]]:
        return [{"cursor": page.cursor(item), "node": item} for item in page.items]

    def resolve_nodes(page: Page, info: Any) -> list[Any]:
        return page.items

    def resolve_pageInfo(page: Page, info: Any) -> dict[str, Any]:
        cursors = [page.cursor(item) for item in page.items]
        return {
            "hasNextPage": page.has_next,
            "hasPreviousPage": page.has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        }

    def resolve_totalCount(page: Page, info: Any) -> int:
        return page.total

    return type(f"{name}Connection", (graphene.ObjectType,), {
        "__doc__": f"A page of {name} items, in a stable order.",
        "edges": graphene.List(graphene.NonNull(edge), required=True),
        "nodes": graphene.List(graphene.NonNull(node), required=True),
        "pageInfo": graphene.Field(PageInfo, required=True),
        "totalCount": graphene.Int(required=True, description="Items matching, on all pages."),
        "resolve_edges": staticmethod(resolve_edges),
        "resolve_nodes": staticmethod(resolve_nodes),
        "resolve_pageInfo": staticmethod(resolve_pageInfo),
        "resolve_totalCount": staticmethod(resolve_totalCount),
    })


def page_arguments() -> dict[str, Any]:
    return {
        "first": graphene.Int(description="How many items, at most 100 (default 20). Pages run forwards only: "
                                          "from the start, or after a cursor; there is no last/before."),
        "after": graphene.String(description="Resume after this cursor (an item's `cursor`, or pageInfo.endCursor): "
                                             "no item is skipped or repeated, whatever is added elsewhere."),
    }
