"""The graph-access layer: every Cypher statement of the service lives in this package.

Queries are parameterised and run in managed transactions through `collab_api.db.graph.Graph`.
Batch functions take many keys and answer them in one query (the DataLoaders call them).
"""
