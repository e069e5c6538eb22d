"""What a hosting team needs: request ids, JSON logs, Prometheus metrics, traces, the bookmarks
that keep reads after writes consistent across workers and cluster members, driver settings,
warnings at start, several workers behind one port, and deploy/ files that lint clean."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from ruamel.yaml import YAML
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from collab_api.app import create_app, warn_at_start
from collab_api.config import Settings
from collab_api.db.graph import Graph
from collab_api.db.runtime import DatabaseConfigError, driver_options
from collab_api.telemetry import JsonFormatter
from tests.conftest import TestServer, serve_collab

ROOT = Path(__file__).resolve().parent.parent
QUERY = "query Regions { collaboratives { code } }"
SPANS = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracing() -> None:
    """An in-memory exporter in place of OTLP (the tracer provider can be set once per process)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SPANS))
    trace.set_tracer_provider(provider)


@pytest.fixture(scope="module")
def app(settings: Settings, network: Graph) -> Any:
    return create_app(settings.model_copy(update={"metrics_token": None, "metrics_operations": "Regions"}), graph=network)


@pytest.fixture
async def http(app: Any) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_every_request_has_an_id_and_one_json_log_line_without_the_token(http: Any, tokens: Any,
                                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    caplog.set_level(logging.INFO, logger="collab_api.request")
    token = tokens("LEAD", collaborative="KSS")
    given = await http.post("/graphql", json={"query": QUERY}, headers={"X-Request-ID": "ticket-4711", "authorization": f"Bearer {token}"})
    assert given.headers["x-request-id"] == "ticket-4711"
    made_up = await http.get("/graphql", params={"query": QUERY}, headers={"X-Request-ID": "no spaces <or> tags"})
    assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["x-request-id"])
    traced = await http.get("/graphql", params={"query": QUERY},
                            headers={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
    assert traced.headers["x-request-id"] == "4bf92f3577b34da6a3ce929d0e0e4736"

    lines = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
    first = next(line for line in lines if line.get("requestId") == "ticket-4711")
    assert first["message"] == "POST /graphql 200" and first["level"] == "INFO"
    assert first["operations"] == ["Regions"] and first["role"] == "LEAD" and first["dbRoundTrips"] >= 1
    assert first["durationMs"] > 0 and re.match(r"\d{4}-\d\d-\d\dT", first["time"])
    assert token not in caplog.text and token.split(".")[1] not in caplog.text, "the token is never logged"
    assert {line["requestId"] for line in lines} >= {"ticket-4711", made_up.headers["x-request-id"], "4bf92f3577b34da6a3ce929d0e0e4736"}


async def test_metrics_count_requests_operations_round_trips_and_errors(http: Any, settings: Settings, network: Graph) -> None:
    for _ in range(3):
        await http.get("/graphql", params={"query": QUERY})
    await http.get("/graphql", params={"query": "{ intervention(id: 1) { title, nope } }"})
    text = (await http.get("/metrics")).text
    assert re.search(r'^collab_http_requests_total\{method="GET",route="graphql",status="200"\} ([0-9.]+)$', text, re.M)
    assert float(re.search(r'^collab_request_seconds_count\{operation="Regions"\} ([0-9.]+)$', text, re.M)[1]) >= 3
    assert float(re.search(r'^collab_db_round_trips_total\{operation="Regions"\} ([0-9.]+)$', text, re.M)[1]) >= 3
    assert re.search(r'^collab_graphql_errors_total\{code="[A-Z_]+"\} [1-9]', text, re.M)
    assert re.search(r"^collab_db_sessions_in_use 0\.0$", text, re.M) and re.search(r"^collab_db_pool_size 50\.0$", text, re.M)

    guarded = create_app(settings.model_copy(update={"metrics_token": "scrape-me"}), graph=network)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url="http://testserver") as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers={"authorization": "Bearer scrape-me"})).status_code == 200


async def test_a_trace_spans_http_graphql_and_each_database_call(http: Any, network: Graph) -> None:
    from collab_api.api import result_cache

    result_cache.forget(network)  # read, not served from the cache
    SPANS.clear()
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    await http.post("/graphql", json={"query": QUERY}, headers={"traceparent": parent})
    spans = SPANS.get_finished_spans()
    by_name = {span.name: span for span in spans}
    server, operation = by_name["POST graphql"], by_name["graphql Regions"]
    queries = [span for span in spans if span.name == "db.query"]
    assert {format(span.context.trace_id, "032x") for span in spans} == {"0af7651916cd43dd8448eb211c80319c"}
    assert format(server.parent.span_id, "016x") == "b7ad6b7169203331", "continues the caller's trace"
    assert operation.parent.span_id == server.context.span_id
    assert queries and all(span.parent.span_id == operation.context.span_id for span in queries)
    assert "MATCH (v:DataVersion)" in queries[0].attributes["db.query.text"], "the data version, read before the data"
    assert "MATCH (c:Collaborative)" in queries[1].attributes["db.query.text"]
    assert operation.attributes["collab.cached"] is False
    assert server.attributes["http.response.status_code"] == 200


async def test_a_write_hands_back_its_bookmark_and_a_request_carrying_it_reads_the_write(http: Any, tokens: Any, network: Graph) -> None:
    before = await network.bookmarks.get_bookmarks()
    mutation = """mutation { setPriority(input: {collaborative: "KSS", title: "Bookmarked priority", harmArea: "Falls",
        rationale: "Reads after this write must see it."}) { errors { message } priority { id } } }"""
    wrote = await http.post("/graphql", json={"query": mutation}, headers={"authorization": f"Bearer {tokens('NATIONAL')}"})
    assert wrote.json()["data"]["setPriority"]["errors"] == []
    carried = wrote.headers["x-collab-bookmark"]
    assert carried and carried.split(",")[0] in await network.bookmarks.get_bookmarks(), "the driver's manager has it too"
    assert await network.bookmarks.get_bookmarks() != before
    read = await http.get("/graphql", params={"query": '{ collaborative(code: "KSS") { priorities { title } } }'},
                          headers={"x-collab-bookmark": carried})
    assert "Bookmarked priority" in [p["title"] for p in read.json()["data"]["collaborative"]["priorities"]]
    assert "x-collab-bookmark" not in read.headers, "a read writes nothing to hand back"
    junk = await http.get("/graphql", params={"query": QUERY}, headers={"x-collab-bookmark": "not a bookmark, <script>"})
    assert junk.status_code == 200, "malformed bookmarks are dropped, not sent to the database"


def test_driver_settings_aura_names_and_a_private_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_USERNAME", "aura-user")  # as Aura's credentials file names it
    monkeypatch.delenv("NEO4J_USER", raising=False)
    settings = Settings(_env_file=None)
    assert settings.neo4j_user == "aura-user"
    uri, options = driver_options(settings, "neo4j+s://abc.databases.neo4j.io")
    assert uri == "neo4j+s://abc.databases.neo4j.io" and options["max_connection_pool_size"] == 50
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    uri, options = driver_options(settings.model_copy(update={"db_ca_file": ca}), "neo4j+s://db.internal:7687")
    assert uri == "neo4j://db.internal:7687" and options["encrypted"] is True and options["trusted_certificates"] is not None
    with pytest.raises(DatabaseConfigError, match="COLLAB_DB_CA_FILE .* is not a readable file"):
        driver_options(settings.model_copy(update={"db_ca_file": tmp_path / "missing.pem"}), "neo4j://x")


def test_a_production_server_warns_without_an_identity_provider_or_with_demo_data(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="collab_api")
    warn_at_start(Settings(_env_file=None, env="production"), seeded_demo=True)
    assert "no identity provider is configured" in caplog.text and "synthetic demo network was loaded" in caplog.text
    caplog.clear()
    warn_at_start(Settings(_env_file=None, env="production", oidc_issuer="https://login.example.nhs.uk"), seeded_demo=False)
    warn_at_start(Settings(_env_file=None, env="development"), seeded_demo=True)
    assert caplog.text == ""


def test_several_workers_serve_one_port_and_add_up_their_metrics(test_server: TestServer, graph: Graph, tmp_path: Path) -> None:
    output: list[str] = []
    os.environ["COLLAB_METRICS_OPERATIONS"] = "Regions"  # serve_collab passes the environment on
    try:
        with serve_collab(test_server, graph.database, tmp_path, "--workers", "2", output=output) as base:
            with httpx.Client(base_url=base, timeout=30) as client:
                ids = {client.get("/graphql", params={"query": QUERY}).headers["x-request-id"] for _ in range(20)}
                metrics = client.get("/metrics").text
    finally:
        del os.environ["COLLAB_METRICS_OPERATIONS"]
    assert len(ids) == 20
    assert float(re.search(r'^collab_request_seconds_count\{operation="Regions"\} ([0-9.]+)$', metrics, re.M)[1]) == 20
    workers = set(re.findall(r"Started server process \[(\d+)\]", output[0]))
    assert len(workers) == 2, output[0][-2000:]


def test_the_deploy_files_lint_clean() -> None:
    bin_dir = Path(sys.executable).parent
    lint = subprocess.run([str(bin_dir / "hadolint"), "deploy/Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    compose = subprocess.run([str(bin_dir / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "deploy/compose.yaml"],
                             cwd=ROOT, capture_output=True, text=True)
    assert compose.returncode == 0, compose.stdout + compose.stderr
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert dockerfile.count("\nFROM ") == 2 and " AS build" in dockerfile and "COPY --from=build" in dockerfile, "two stages"
    assert "\nUSER 10001" in dockerfile and "\nHEALTHCHECK " in dockerfile and "gcc" not in dockerfile
    services = YAML(typ="safe").load((ROOT / "deploy/compose.yaml").read_text())["services"]
    assert re.fullmatch(r"neo4j:5\.26\.\d+-community", services["neo4j"]["image"]), "a pinned Neo4j 5.26 LTS"
    assert services["neo4j"]["volumes"] == ["neo4j-data:/data"]
    assert services["setup"]["command"][-1] == "collab schema apply && collab seed --no-demo"
    assert services["app"]["environment"]["COLLAB_APPLY_SCHEMA"] == "false"
    assert services["app"]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert services["keycloak"]["profiles"] == ["oidc"]
    realm = json.loads((ROOT / "deploy/keycloak/collab-realm.json").read_text())
    mappers = {m["name"] for m in realm["clients"][0]["protocolMappers"]}
    assert {"role", "collaborative", "organisation", "audience collab-api"} <= mappers


async def test_metrics_label_only_the_operations_the_server_knows(test_server, graph) -> None:
    """An anonymous client inventing operation names adds nothing to /metrics; a page's own
    operation keeps its label."""
    import uuid

    import httpx

    from collab_api.app import create_app

    settings = test_server.settings(graph.database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, graph=graph)),
                                 base_url="http://testserver") as client:
        before = (await client.get("/metrics")).text
        invented = [f"Invented{uuid.uuid4().hex[:10]}" for _ in range(30)]
        for name in invented:
            await client.post("/graphql", json={"query": f"query {name} {{ collaboratives {{ code }} }}"})
        await client.post("/graphql", json={"query": "query collaboratives { collaboratives { code } }"})
        await client.get("/")
        after = (await client.get("/metrics")).text
    assert not any(name in after for name in invented)
    assert 'operation="other"' in after and 'operation="collaboratives"' in after
    new_lines = set(after.splitlines()) - set(before.splitlines())
    assert len({line.split("{")[0] + line.split('operation="')[1].split('"')[0] for line in new_lines
                if 'operation="' in line}) < 20


async def test_metrics_need_their_token_in_production_unless_opened(test_server, graph) -> None:
    import httpx

    from collab_api.app import create_app

    async def status(**overrides) -> int:
        settings = test_server.settings(graph.database, env="production", session_secret="s" * 48, **overrides)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, graph=graph)),
                                     base_url="https://testserver") as client:
            return (await client.get("/metrics", headers={"authorization": "Bearer scrape-me"})).status_code

    assert await status() == 403
    assert await status(metrics_open=True) == 200
    assert await status(metrics_token="scrape-me") == 200
    assert await status(metrics_token="another") == 401
