"""Graph constraints and indexes, and the exported GraphQL SDL (schema.graphql)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def graph_statements() -> list[str]:
    """The constraint and index statements of graph.cypher, comments stripped."""
    return _statements("graph.cypher", "//")


SDL_PATH = HERE / "schema.graphql"

# The one difference between the databases for search: how the full-text index is made, and
# its name. The search query itself is the same Cypher on both.
FULLTEXT_INDEX = {"arcadedb": "Intervention[searchText]", "neo4j": "intervention_search"}


def _statements(name: str, comment: str) -> list[str]:
    lines = [line for line in (HERE / name).read_text().splitlines() if line.strip() and not line.strip().startswith(comment)]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def fulltext_statements(dialect: str) -> list[str]:
    """ArcadeDB: SQL for its HTTP API; Neo4j: Cypher."""
    return _statements("fulltext-arcadedb.sql", "--") if dialect == "arcadedb" else _statements("fulltext-neo4j.cypher", "//")
