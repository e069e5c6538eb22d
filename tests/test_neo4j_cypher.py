"""Every Cypher statement the app can send, checked with Neo4j's own Cypher front end
(`@neo4j-cypher/language-support`: the parser and semantic analysis Neo4j's tools use, pinned
in tests/neo4j_cypher) as Cypher 5 and as Cypher 25: no errors and no warnings (deprecations
included). Production is Neo4j 5.26 LTS or later; the tests run on ArcadeDB, so this is what
shows the same statements are Neo4j's Cypher.

The statements are those the rest of the suite sent over Bolt (recorded in db/graph.py; this
test runs last; tests/cypher_checker.py checks them in the background as they are recorded) and
every literal statement in the graph-access and seed modules, whether or
not a test sent it, plus the Neo4j full-text DDL. Needs Node and npm; skipped with that reason
without them, except under CI, where it fails.
"""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import collab_api.graph
import graph_seed
from schema import FULLTEXT_INDEX, fulltext_statements  # noqa: F401  (the Neo4j DDL)
from collab_api.db.graph import transaction_kinds, writes
from tests import cypher_checker
from tests.conftest import STATEMENTS

if not (cypher_checker.NODE and cypher_checker.NPM):
    if os.environ.get("CI"):
        raise RuntimeError("the Neo4j Cypher check needs node and npm")
    pytest.skip("no node/npm for the Neo4j Cypher check", allow_module_level=True)

DEPRECATED = "MATCH (n) RETURN id(n) AS id"  # handed over too: the checker must flag it
QUERY_METHODS = {"run", "read", "write", "single"}  # Tx and Graph: the query is the first argument
QUERY_FUNCTIONS = {"keyed_rows", "keyed_collected", "keyed_lists", "keyed_columns", "keyed_values", "page", "keyed_pages"}  # the second


def _query_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS and call.args:
        return call.args[0]
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name in QUERY_FUNCTIONS and len(call.args) > 1:
        return call.args[1]
    return None


def statements_in_source() -> set[str]:
    """Every query argument in the graph-access and seed modules that is a literal, or an
    f-string or concatenation of the module's own constants."""
    found: set[str] = set()
    for package in (collab_api.graph, graph_seed):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            tree = ast.parse(Path(module.__file__ or "").read_text())
            for node in ast.walk(tree):
                argument = _query_argument(node) if isinstance(node, ast.Call) else None
                if argument is None:
                    continue
                try:
                    value: Any = eval(compile(ast.Expression(argument), info.name, "eval"), vars(module))
                except Exception:  # uses a function's own variables: the recorded statements cover it
                    continue
                if isinstance(value, str) and value.strip():
                    found.add(value)
    return found


def test_every_statement_the_app_sends_is_neo4j_5_and_25_cypher_without_warnings(record_property: Any) -> None:
    source = statements_in_source()
    assert len(source) >= 60, "the statements in the source were found"
    statements, answers = cypher_checker.checker(STATEMENTS).finish(source | set(fulltext_statements("neo4j")) | {DEPRECATED})
    record_property("statements", len(statements))
    record_property("recorded", len(STATEMENTS))
    assert set(statements) >= STATEMENTS | source, "every recorded and every literal statement was handed over"
    assert sorted((a["id"], a["version"]) for a in answers) == [(i, v) for i in range(len(statements)) for v in ("25", "5")], \
        "every statement checked once as Cypher 5 and once as Cypher 25"
    flagged = {statements[a["id"]] for a in answers if a["diagnostics"]}
    assert DEPRECATED in flagged, "the checker flags a deprecated function (else it would pass anything)"
    answers = [a for a in answers if statements[a["id"]] != DEPRECATED]
    problems = [f"Cypher {a['version']} {d['severity']}: {d['message']}\n    {' '.join(statements[a['id']].split())[:400]}"
                for a in answers for d in a["diagnostics"]]
    assert not problems, f"{len(problems)} problems in {len(statements)} statements:\n" + "\n".join(problems)


def test_every_read_the_suite_sent_went_as_a_read_and_every_write_as_a_write() -> None:
    """On a cluster a routing driver sends read transactions to followers, which refuse writes,
    and write transactions to the leader: so no statement sent in a read transaction may
    write, and no committed write transaction may be reads only (it would load the leader).
    The recording is shown to catch both in tests/test_safe_defaults.py."""
    reads, idle_writes = transaction_kinds()
    written_as_reads = sorted(" ".join(s.split())[:300] for s in reads if writes(s))
    assert not written_as_reads, "statements that write, sent in read transactions:\n" + "\n".join(written_as_reads)
    shown = sorted(" | ".join(" ".join(s.split())[:160] for s in tx) for tx in idle_writes)
    assert not shown, "write transactions that wrote nothing (send them as reads):\n" + "\n".join(shown)
