"""The test suite runs against a real database server over Bolt, started once per session.

With NEO4J_URI set (plus NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE) it uses that server and
empties its database before each module; otherwise it starts a local ArcadeDB on free ports
in a temporary folder and gives each test module a database of its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import neo4j
import pytest

from collab_api.app import create_app
from collab_api.config import Settings
from collab_api.db.arcadedb_http import ArcadeHttp
from collab_api.db.graph import Graph, record_statements
from collab_api.db.local_server import LocalArcadeDB, free_port
from collab_api.db.runtime import RETRY_OPTIONS, Connection
from collab_api.graph.schema_ops import apply_schema

# Every statement the suite sends, for tests/test_neo4j_cypher.py (which runs last).
STATEMENTS = record_statements()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Neo4j Cypher check reads the statements the rest of the suite sent: run it last."""
    last = [item for item in items if item.nodeid.startswith("tests/test_neo4j_cypher.py")]
    items[:] = [item for item in items if item not in last] + last
    if last:  # it checks statements in the background as the suite records them (tests/cypher_checker.py)
        from tests import cypher_checker

        cypher_checker.start(STATEMENTS)



@dataclass
class TestServer:
    uri: str
    auth: tuple[str, str]
    database: str | None  # the one database of an external server; None: one per module
    http: ArcadeHttp | None
    local: LocalArcadeDB | None = None

    data_dir: Any = None

    def settings(self, database: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "development", "neo4j_uri": self.uri, "neo4j_user": self.auth[0],
            "neo4j_password": self.auth[1], "neo4j_database": database, "data_dir": self.data_dir,
            "rate_limit_per_minute": 0,  # the suite sends hundreds of requests a minute; test_hardening tests the limit
        }
        values.update(overrides)
        return Settings(**values)


@pytest.fixture(scope="session")
def test_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestServer]:
    data_dir = tmp_path_factory.mktemp("collab-data")  # the development signing key lives here
    if os.environ.get("NEO4J_URI"):
        yield TestServer(
            os.environ["NEO4J_URI"],
            (os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"]),
            os.environ.get("NEO4J_DATABASE", "neo4j"),
            None,
            data_dir=data_dir,
        )
        return
    server = LocalArcadeDB(tmp_path_factory.mktemp("arcadedb"), bolt_port=free_port(), http_port=free_port(), heap="2g")
    server.start(timeout=120)
    try:
        yield TestServer(server.bolt_uri, server.auth, None, server.http(), server, data_dir=data_dir)
    finally:
        server.stop()


def _database_name(request: pytest.FixtureRequest) -> str:
    stem = re.sub(r"[^a-z0-9]", "", request.module.__name__.split(".")[-1].lower())
    return f"t{stem[:30]}{uuid.uuid4().hex[:6]}"


def _seed_wanted(request: pytest.FixtureRequest) -> bool | None:
    """Does the module's first test want the demo network with its history (True), without it
    (False), or neither (None)?"""
    names = set(request.fixturenames)
    if ("seeded" in names) == ("network" in names):
        return None
    return "seeded" in names


@pytest.fixture(scope="module")
async def connection(test_server: TestServer, seed_copies: SeedCopies, request: pytest.FixtureRequest
                     ) -> AsyncIterator[Connection]:
    """A connection to an empty database with the schema applied, for one test module; on the
    suite's own server, a module that asks for the demo network gets a restored copy instead."""
    driver = neo4j.AsyncGraphDatabase.driver(test_server.uri, auth=test_server.auth, **RETRY_OPTIONS)
    wanted = _seed_wanted(request) if test_server.database is None else None
    if test_server.database is None:
        graph = Graph(driver, _database_name(request))
        if wanted is None:
            test_server.http.create_database(graph.database)  # type: ignore[union-attr]
        else:
            await seed_copies.load(graph, with_history=wanted, replace=False)
    else:
        graph = Graph(driver, test_server.database)
        await graph.write("MATCH (n) DETACH DELETE n")
    dialect = "arcadedb" if test_server.http or "arcadedb" in (await graph.server_agent()).lower() else "neo4j"
    connection = Connection(graph, test_server.http, dialect)
    if wanted is None:
        await apply_schema(connection)
    try:
        yield connection
    finally:
        await graph.close()


@pytest.fixture(scope="module")
def graph(connection: Connection) -> Graph:
    return connection.graph


class SeedCopies:
    """On the suite's own ArcadeDB, the demo network is seeded once per session into a database
    of its own and backed up; each module that asks for it gets a restored copy, schema and all
    (about 0.2 s rather than 3-5 s of seeding and 0.6-0.9 s of schema). On an external server,
    each module is seeded as before."""

    def __init__(self, test_server: TestServer) -> None:
        self.test_server = test_server
        self.archives: dict[bool, str] = {}
        self.fulltext_index: str | None = None  # as apply_schema set it on the database copied
        self.restored: dict[str, bool] = {}  # database: with history

    async def load(self, graph: Graph, *, with_history: bool, replace: bool = True) -> None:
        """The demo network into `graph`'s database: restored over it (`replace`), or as it (it
        does not exist yet); seeded into it on an external server."""
        from graph_seed.load import load_all

        http, local = self.test_server.http, self.test_server.local
        if http is None or local is None:
            await load_all(graph, with_history=with_history)
            return
        if self.restored.get(graph.database) is with_history:
            return
        if with_history not in self.archives:
            name = f"template{'history' if with_history else 'network'}{uuid.uuid4().hex[:6]}"
            http.create_database(name)
            driver = neo4j.AsyncGraphDatabase.driver(self.test_server.uri, auth=self.test_server.auth, **RETRY_OPTIONS)
            try:
                template = Graph(driver, name)
                await apply_schema(Connection(template, http, "arcadedb"))
                await load_all(template, with_history=with_history)
                self.fulltext_index = template.fulltext_index
            finally:
                await driver.close()
            http.sql(name, f"BACKUP DATABASE file://{name}.zip")
            http.allow_local_restores()
            self.archives[with_history] = (local.root / "backups" / name / f"{name}.zip").as_uri()
        if replace:
            http.drop_database(graph.database)
        http.restore_database(graph.database, self.archives[with_history])
        graph.fulltext_index = self.fulltext_index
        self.restored[graph.database] = with_history


@pytest.fixture(scope="session")
def seed_copies(test_server: TestServer) -> SeedCopies:
    return SeedCopies(test_server)


@pytest.fixture(scope="module")
async def seeded(graph: Graph, seed_copies: SeedCopies) -> Graph:
    """The reference data and the whole demo network, adoption history included."""
    await seed_copies.load(graph, with_history=True)
    return graph


@pytest.fixture(scope="module")
async def network(graph: Graph, seed_copies: SeedCopies) -> Graph:
    """The reference data and the demo network without its adoption history (quicker)."""
    await seed_copies.load(graph, with_history=False)
    return graph


@pytest.fixture(scope="module")
def settings(test_server: TestServer, graph: Graph) -> Settings:
    return test_server.settings(graph.database)


@pytest.fixture(scope="module")
async def client(settings: Settings, graph: Graph) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


class GraphQL:
    """Posts GraphQL documents with a bearer token (none: anonymous); `data()` also asserts
    there were no errors."""

    def __init__(self, client: httpx.AsyncClient, token: str | None = None) -> None:
        self.client = client
        self.token = token
        self.last: dict[str, Any] = {}

    def as_(self, token: str | None) -> GraphQL:
        return GraphQL(self.client, token)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        if self.token:
            headers = {"authorization": f"Bearer {self.token}", **headers}
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        assert response.status_code == 200, response.text
        self.last = response.json()
        return self.last

    async def data(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        body = await self(query, variables, **headers)
        assert "errors" not in body, body["errors"]
        return body["data"]

    @property
    def round_trips(self) -> int:
        return self.last["extensions"]["dbRoundTrips"]


@pytest.fixture(scope="module")
def tokens(settings: Settings) -> Any:
    """Development tokens, signed with the local key the development-mode app trusts."""
    from collab_api.http.dev_tokens import mint

    def make(role: str, *, collaborative: str | None = None, organisation: str | None = None, minutes: int = 30,
             email: str | None = None, name: str | None = None, subject: str | None = None) -> str:
        return mint(settings, role, collaborative=collaborative, organisation=organisation, minutes=minutes, email=email,
                    name=name, subject=subject)

    return make


@pytest.fixture(scope="module")
def gql(client: httpx.AsyncClient, tokens: Any) -> GraphQL:
    """As the national team, unless a test asks for another caller with `gql.as_(token)`."""
    return GraphQL(client, tokens("NATIONAL"))


@contextmanager
def serve_collab(test_server: TestServer, database: str, data_dir: Path, *extra: str,
                 output: list[str] | None = None) -> Iterator[str]:
    """`collab serve` as a real process in development mode on `database`; yields its base URL.
    `extra`: more arguments; `output`: receives what it wrote, once it has stopped."""
    port = free_port()
    env = {**os.environ, "COLLAB_ENV": "development", "NEO4J_URI": test_server.uri, "NEO4J_USER": test_server.auth[0],
           "NEO4J_PASSWORD": test_server.auth[1], "NEO4J_DATABASE": database, "COLLAB_DATA_DIR": str(data_dir),
           "COLLAB_RATE_LIMIT": "0"}
    if test_server.http is not None:
        env["ARCADEDB_HTTP_URL"] = test_server.http.base_url
    collab = str(Path(sys.executable).parent / "collab")
    process = subprocess.Popen([collab, "serve", "--host", "127.0.0.1", "--port", str(port), *extra], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, port, timeout=120)
        yield base
    finally:
        process.terminate()
        written, _ = process.communicate(timeout=60)
        if output is not None:
            output.append(written.decode())


def wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 180, log: Path | None = None) -> None:
    """Wait until `collab serve` on `port` answers /readyz with 200; fail with its output (its
    stdout pipe, else `log`) if it exits first, or kill it if it is not ready within `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else log.read_text() if log else ""
            raise AssertionError(f"collab serve exited: {output[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise AssertionError("collab serve did not become ready")
