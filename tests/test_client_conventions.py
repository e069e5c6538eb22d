"""What GraphQL clients expect: every object a client may cache has a stable id, unique across
the API; node(id:) finds the main ones again; a normalising cache sees one consistent object
per entity; and a client no one here wrote (Python's gql) works against the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from collab_api.api.schema import schema

pytestmark = pytest.mark.usefixtures("seeded")

CACHEABLE = ["Collaborative", "ICB", "Organisation", "Intervention", "InterventionVersion", "Priority", "Adoption",
             "AdoptionObservation", "Component", "AdoptionStage", "AuditEvent"]


def test_every_cacheable_type_has_an_id() -> None:
    types = schema.graphql_schema.type_map
    assert [name for name in CACHEABLE if "id" not in types[name].fields] == []  # type: ignore[union-attr]
    node = types["Node"]
    implementing = {t.name for t in schema.graphql_schema.get_possible_types(node)}  # type: ignore[arg-type]
    assert {"Collaborative", "ICB", "Organisation", "Intervention", "InterventionVersion", "Priority", "Adoption"} <= implementing


async def test_node_finds_each_main_type_again(gql: Any) -> None:
    data = await gql.data("""{ collaborative(code: "KSS") { id icbs { id } members(first: 1) { nodes { id } }
        priorities { id } } intervention(id: "news2-deterioration") { id versions { id } adoptions { id } } }""")
    ids = [data["collaborative"]["id"], data["collaborative"]["icbs"][0]["id"], data["collaborative"]["members"]["nodes"][0]["id"],
           data["collaborative"]["priorities"][0]["id"], data["intervention"]["id"], data["intervention"]["versions"][0]["id"],
           data["intervention"]["adoptions"][0]["id"]]
    assert ids[0] == "Collaborative:KSS" and ids[4] == "news2-deterioration" and ids[5] == "Version:news2-deterioration@1"
    for identifier in ids:
        found = (await gql.data("query($id: ID!) { node(id: $id) { __typename id } }", {"id": identifier}))["node"]
        assert found and found["id"] == identifier, identifier
    assert (await gql.data('{ node(id: "Organisation:NOPE") { id } }'))["node"] is None
    anonymous = await gql.as_(None).data('{ node(id: "delirium-4at") { id } }')  # a draft
    assert anonymous["node"] is None


def _normalise(value: Any, store: dict[str, dict[str, Any]]) -> None:
    """What a normalising cache (Apollo's InMemoryCache) does: one record per __typename:id,
    every appearance merged into it; a field that disagrees between appearances is a bug."""
    if isinstance(value, list):
        for item in value:
            _normalise(item, store)
    elif isinstance(value, dict):
        if "id" in value and "__typename" in value:
            record = store.setdefault(f"{value['__typename']}:{value['id']}", {})
            for key, item in value.items():
                if not isinstance(item, (dict, list)):
                    assert record.get(key, item) == item, f"{value['__typename']}:{value['id']}.{key} disagrees"
                    record[key] = item
        for item in value.values():
            _normalise(item, store)


async def test_a_normalising_cache_sees_one_consistent_object_per_entity(gql: Any) -> None:
    data = await gql.data("""{ collaboratives { __typename id code name icbs { __typename id name collaborative { __typename id code } }
        members(first: 5) { nodes { __typename id odsCode name collaborative { __typename id code name } } } }
        intervention(id: "news2-deterioration") { __typename id title origin { collaborative { __typename id code name } }
        adoptions { __typename id organisation { __typename id odsCode name } currentStage { __typename id stage label }
                    observations { __typename id quarter stage { __typename id stage label } } } } }""")
    store: dict[str, dict[str, Any]] = {}
    _normalise(data, store)
    assert len([k for k in store if k.startswith("Collaborative:")]) == 15  # each once, however often it appears
    assert len([k for k in store if k.startswith("AdoptionStage:")]) <= 8


async def test_the_python_gql_client_works(settings: Any, seeded: Any, tokens: Any) -> None:
    from gql import Client, gql
    from gql.transport.httpx import HTTPXAsyncTransport

    from collab_api.app import create_app

    app = httpx.ASGITransport(app=create_app(settings, graph=seeded))
    transport = HTTPXAsyncTransport(url="http://testserver/graphql", transport=app,
                                    headers={"authorization": f"Bearer {tokens('NATIONAL')}"})
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        result = await session.execute(gql("query($code: String!) { collaborative(code: $code) { id name } }"),
                                       variable_values={"code": "KSS"})
    assert result == {"collaborative": {"id": "Collaborative:KSS", "name": "Health Innovation Kent Surrey Sussex"}}
