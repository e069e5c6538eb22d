"""Graph constraints and indexes, and the exported GraphQL SDL (schema.graphql)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def graph_statements() -> list[str]:
    """The constraint and index statements of graph.cypher, comments stripped."""
    text = (HERE / "graph.cypher").read_text()
    lines = [line for line in text.splitlines() if line.strip() and not line.strip().startswith("//")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


SDL_PATH = HERE / "schema.graphql"
