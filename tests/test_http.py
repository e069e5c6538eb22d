"""GraphQL over HTTP: request errors, validation errors, GraphiQL, health and readiness."""

from __future__ import annotations

import httpx
import neo4j

from collab_api.app import create_app
from collab_api.db.graph import Graph
from collab_api.db.local_server import free_port


async def test_malformed_json_is_a_400_that_says_so(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]


async def test_missing_query_is_a_400(client: httpx.AsyncClient) -> None:
    for body in ({}, {"query": ""}, {"query": 42}):
        response = await client.post("/graphql", json=body)
        assert response.status_code == 400
        assert "no GraphQL query" in response.json()["errors"][0]["message"]
    response = await client.post("/graphql", json=[1, 2])
    assert response.status_code == 400 and "JSON object" in response.json()["errors"][0]["message"]
    response = await client.post("/graphql", json={"query": "{ collaboratives { code } }", "variables": [1]})
    assert response.status_code == 400 and "'variables' must be a JSON object" in response.text


async def test_wrong_content_type_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"query", headers={"content-type": "text/plain"})
    assert response.status_code == 415


async def test_invalid_queries_get_graphql_errors_not_stack_traces(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ collaboratives { nosuchfield } }"})
    assert response.status_code == 200
    body = response.json()
    assert "Cannot query field 'nosuchfield'" in body["errors"][0]["message"]
    assert "Traceback" not in response.text
    response = await client.post("/graphql", json={"query": "{ collaboratives { "})
    assert response.status_code == 200 and "Syntax Error" in response.json()["errors"][0]["message"]


async def test_strict_media_type_gives_400_for_invalid_documents(client: httpx.AsyncClient) -> None:
    headers = {"accept": "application/graphql-response+json"}
    response = await client.post("/graphql", json={"query": "{ nope }"}, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")


async def test_get_runs_queries_but_not_mutations(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": '{ collaborative(code: "X") { code } }'})
    assert response.status_code == 200 and response.json()["data"] == {"collaborative": None}


async def test_graphiql_only_in_development(client: httpx.AsyncClient, settings, graph: Graph) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "GraphiQL" in response.text
    production = create_app(settings.model_copy(update={"env": "production"}), graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=production), base_url="http://t") as prod:
        response = await prod.get("/graphql", headers={"accept": "text/html"})
        assert response.status_code == 404
        body = (await prod.post("/graphql", json={"query": "{ collaboratives { code } }"})).json()
        assert "extensions" not in body  # round-trip counts only in development


async def test_health_and_readiness(client: httpx.AsyncClient, settings) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "reachable"
    # A database nobody listens on: alive, but not ready.
    driver = neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{free_port()}", auth=("x", "y"),
                                             connection_acquisition_timeout=2, max_transaction_retry_time=0)
    unreachable = create_app(settings, graph=Graph(driver, "neo4j"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=unreachable), base_url="http://t") as down:
        assert (await down.get("/healthz")).status_code == 200
        response = await down.get("/readyz")
        assert response.status_code == 503 and response.json()["database"] == "unreachable"
    await driver.close()
