"""Malformed and hostile requests get a 4xx or a GraphQL error with a code: never a 500, an
INTERNAL error or a dropped connection. Limits apply before anything is executed."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("network")


def _codes(body: dict[str, Any]) -> list[str]:
    return [(e.get("extensions") or {}).get("code", "") for e in body.get("errors") or []]


async def _post(client: httpx.AsyncClient, query: str, variables: Any = None, **headers: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


@pytest.mark.parametrize("query", [
    "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }",
    "{ ...Nowhere }",
    "query { collaboratives { ...C } } fragment C on Collaborative { code ...C }",
])
async def test_fragment_cycles_and_unknown_fragments_are_validation_errors(client: httpx.AsyncClient, query: str) -> None:
    response = await _post(client, query)
    assert response.status_code == 200 and response.json()["errors"] and "data" not in response.json() or response.json().get("data") is None
    assert "INTERNAL" not in _codes(response.json())


async def test_depth_is_counted_through_fragments(client: httpx.AsyncClient) -> None:
    nested = "collaborative { members { nodes { collaborative { members { nodes { collaborative { members { nodes { odsCode } } } } } } } } }"
    query = f"query {{ organisation(odsCode: \"Z43\") {{ ...F }} }} fragment F on Organisation {{ {nested} }}"
    body = (await _post(client, query)).json()
    assert body["errors"] and "depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused_before_execution(client: httpx.AsyncClient) -> None:
    query = "{ " + " ".join(f"a{n}: collaboratives {{ code }}" for n in range(40)) + " }"
    body = (await _post(client, query)).json()
    assert _codes(body) == ["TOO_MANY_ALIASES"] and body.get("data") is None


async def test_too_many_tokens_are_refused(client: httpx.AsyncClient) -> None:
    query = "{ collaboratives { " + " ".join(["code"] * 3000) + " } }"
    body = (await _post(client, query)).json()
    assert _codes(body) == ["TOO_MANY_TOKENS"]


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b'{"query": "' + b"x" * (3 * 1024 * 1024) + b'"}',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 413


async def test_deeply_nested_variables_are_a_400(client: httpx.AsyncClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = await client.post("/graphql", content=f'{{"query": "{{ collaboratives {{ code }} }}", "variables": {{"x": {deep}}}}}',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("mapping", ['{"0": ["variables"]}', '{"0": ["variables.file.x.y"]}', '{"0": ["variables.list.99"]}',
                                     '{"0": "variables.file"}', '[1]', '{"0": [7]}'])
async def test_malformed_multipart_maps_are_a_400(client: httpx.AsyncClient, mapping: str) -> None:
    operations = json.dumps({"query": "mutation($file: Upload!) { importQuarterlyReturn(file: $file) { errors { message } } }",
                             "variables": {"file": None, "list": []}})
    response = await client.post("/graphql", data={"operations": operations, "map": mapping},
                                 files={"0": ("a.xlsx", b"x", "application/octet-stream")})
    assert response.status_code == 400, response.text


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


ES256 = _b64(json.dumps({"alg": "ES256"}).encode())
TOKENS = [
    "eyJhbGciOiJFUzI1NiJ9.NDI.eA",  # a payload that is the JSON number 42
    ES256 + "." + _b64(b"[1,2]") + ".eA",  # a list
    ES256 + "." + _b64(json.dumps("text").encode()) + ".eA",  # a string
    _b64(json.dumps({"alg": "ES256\u00e9\u4e2d"}).encode()) + "." + _b64(b"{}") + ".eA",  # a non-latin-1 alg
    _b64(json.dumps({"alg": "ES256\r\nX-Evil: 1"}).encode()) + "." + _b64(b"{}") + ".eA",  # CR/LF in alg
    "not-a-token",
]


@pytest.mark.parametrize("token", TOKENS)
async def test_malformed_tokens_are_a_401_with_a_clean_header(client: httpx.AsyncClient, token: str) -> None:
    response = await _post(client, "{ collaboratives { code } }", authorization=f"Bearer {token}")
    assert response.status_code == 401
    assert "\r" not in response.headers.get("www-authenticate", "") and "\n" not in response.headers.get("www-authenticate", "")
    response.headers["www-authenticate"].encode("latin-1")


async def test_null_for_an_argument_with_a_default_is_a_coded_error_not_internal(gql: Any) -> None:
    for query in ('{ spreadReport(intervention: "marthas-rule", atOrBelowStage: null) { quarter } }',
                  '{ searchInterventions(text: "falls", sort: null) { totalCount } }'):
        body = await gql(query)
        assert "INTERNAL" not in _codes(body), body
        assert body.get("data") is not None or _codes(body), body


async def test_a_lone_surrogate_in_text_is_not_an_internal_error(client: httpx.AsyncClient) -> None:
    raw = '{"query": "query($t: String) { searchInterventions(text: $t) { totalCount } }", "variables": {"t": "falls \\ud800 here"}}'
    response = await client.post("/graphql", content=raw.encode(), headers={"content-type": "application/json"})
    assert response.status_code in (200, 400)
    assert "INTERNAL" not in _codes(response.json())


async def test_security_headers_on_pages_and_api(client: httpx.AsyncClient) -> None:
    for path in ("/", "/graphql?query=%7Bcollaboratives%7Bcode%7D%7D"):
        headers = (await client.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"


async def test_the_cost_of_a_document_is_limited(client: httpx.AsyncClient) -> None:
    costly = """{ interventions(first: 100) { nodes { adoptionTree { depth } regionsReached { isOrigin } } } }"""
    body = (await _post(client, costly)).json()
    assert _codes(body) == ["TOO_COSTLY"] and "the limit is 5000" in body["errors"][0]["message"]
    fine = """{ interventions(first: 10) { nodes { spread { adopters } regionsReached { isOrigin } } } }"""
    assert "errors" not in (await _post(client, fine)).json()


async def test_a_request_over_its_time_budget_is_stopped_with_503(settings: Any, graph: Any) -> None:
    from collab_api.app import create_app

    app = create_app(settings.model_copy(update={"request_seconds": 0.0001}), graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as slow:
        response = await _post(slow, '{ spreadReport(intervention: "marthas-rule") { quarter } }')
    assert response.status_code == 503 and _codes(response.json()) == ["TIMEOUT"]


async def test_a_client_over_the_rate_limit_gets_429(settings: Any, graph: Any) -> None:
    from collab_api.app import create_app

    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 5}), graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as busy:
        answers = [(await _post(busy, "{ collaboratives { code } }")).status_code for _ in range(7)]
        assert (await busy.get("/healthz")).status_code == 200  # health checks are not counted
    assert answers == [200] * 5 + [429, 429]


async def test_production_refuses_anonymous_introspection_and_suggestions(settings: Any, graph: Any, tokens: Any) -> None:
    from collab_api.app import create_app

    app = create_app(settings.model_copy(update={"env": "production"}), graph=graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as production:
        body = (await _post(production, "{ __schema { types { name } } }")).json()
        assert _codes(body) == ["INTROSPECTION_DISABLED"]
        typo = (await _post(production, "{ collaborativs { code } }")).json()
        assert "Did you mean" not in typo["errors"][0]["message"]
    development = (await _post(httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings, graph=graph)),
                                                 base_url="http://t"), "{ collaborativs { code } }")).json()
    assert "Did you mean" in development["errors"][0]["message"]


async def test_cross_origin_calls_only_from_the_allowed_origins(settings: Any, graph: Any) -> None:
    from collab_api.app import create_app

    async def preflight(app: Any, origin: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as browser:
            return await browser.options("/graphql", headers={"origin": origin, "access-control-request-method": "POST",
                                                              "access-control-request-headers": "authorization"})

    closed = create_app(settings, graph=graph)
    assert "access-control-allow-origin" not in (await preflight(closed, "https://elsewhere.example")).headers
    open_to_one = create_app(settings.model_copy(update={"cors_origins": "https://dashboard.nhs.example"}), graph=graph)
    allowed = await preflight(open_to_one, "https://dashboard.nhs.example")
    assert allowed.headers["access-control-allow-origin"] == "https://dashboard.nhs.example"
    assert "access-control-allow-origin" not in (await preflight(open_to_one, "https://elsewhere.example")).headers


async def test_the_database_console_is_not_reachable_through_the_api(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/server", "/studio", "/api/v1/query/neo4j/sql/select"):
        assert (await client.get(path)).status_code == 404


@pytest.mark.parametrize("extensions", ['"text"', "42", "true", "[1]"])
async def test_extensions_that_are_not_an_object_are_a_400(client: httpx.AsyncClient, extensions: str) -> None:
    body = '{"query": "{ collaboratives { code } }", "extensions": ' + extensions + "}"
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "'extensions' must be a JSON object" in response.text
    get = await client.get("/graphql", params={"query": "{ collaboratives { code } }", "extensions": extensions})
    assert get.status_code == 400


def _fan_out(levels: int = 7, width: int = 10) -> str:
    """The 646-byte document of 7 levels of 10 spreads: 10 million selections once expanded."""
    spreads = " ".join(["...F1"] * width)
    fragments = [f"fragment F{n} on Query {{ {' '.join([f'...F{n + 1}'] * width)} }}" for n in range(1, levels)]
    return f"query {{ {spreads} }} " + " ".join(fragments) + f" fragment F{levels} on Query {{ __typename }}"


async def test_a_fragment_fan_out_is_refused_before_the_standard_rules_run(client: httpx.AsyncClient,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused by counting the spreads as expanded, once per fragment: the standard validation
    (whose overlapping-fields rule stalled every request for 6-9 s on this) is never called."""
    from collab_api.api import execution

    def validate_must_not_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the standard rules ran on the fan-out")

    monkeypatch.setattr(execution, "validate", validate_must_not_run)
    for token in (None, "Bearer nonsense"):
        response = await _post(client, _fan_out(), **({"authorization": token} if token else {}))
        codes = _codes(response.json())
        assert response.status_code in (200, 400, 401) and "INTERNAL" not in codes
        if token is None:
            assert codes == ["TOO_MANY_SELECTIONS"] and "21111110 selections" in response.json()["errors"][0]["message"]


def test_expanded_selections_are_counted_once_per_fragment() -> None:
    from graphql import parse

    from collab_api.api.limits import expanded_selections

    assert expanded_selections(parse(_fan_out(3, 2))) == 2 * (1 + 2 * (1 + 2 * (1 + 1)))  # a spread counts, and what it expands to
    assert expanded_selections(parse("{ a { b c } }")) == 3
    assert expanded_selections(parse("fragment A on Q { ...A x } { ...A }")) == 3  # a cycle counts as nothing more
