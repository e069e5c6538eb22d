"""GraphiQL in development mode, from local assets (it works offline), with a field for a
bearer token that is sent as the Authorization header."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>GraphiQL: the GraphQL explorer – Patient safety collaboratives</title>
  <link rel="stylesheet" href="/static/graphiql/graphiql.min.css">
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: Arial, sans-serif; }
    .token { display: flex; gap: 8px; align-items: center; padding: 6px 12px; background: #005eb8; color: #fff; }
    .token label { font-weight: bold; }
    .token input { flex: 1; font-family: monospace; padding: 4px; }
    .token a { color: #fff; }
    #graphiql { flex: 1; min-height: 0; }
  </style>
</head>
<body>
  <div class="token">
    <label for="token">Bearer token</label>
    <input id="token" type="text" autocomplete="off" spellcheck="false"
           placeholder="paste a token: .venv/bin/collab token --role NATIONAL (empty: anonymous)">
    <a href="/">Back to the service</a>
  </div>
  <div id="graphiql">Loading the GraphQL explorer...</div>
  <script src="/static/graphiql/react.production.min.js"></script>
  <script src="/static/graphiql/react-dom.production.min.js"></script>
  <script src="/static/graphiql/graphiql.min.js"></script>
  <script src="/static/js/graphiql-start.js"></script>
</body>
</html>
"""


def graphiql_page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)
