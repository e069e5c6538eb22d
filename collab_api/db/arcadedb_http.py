"""What ArcadeDB does over HTTP rather than Bolt: creating databases, and its SQL DDL
(full-text indexes). The one place that knows ArcadeDB is not Neo4j."""

from __future__ import annotations

from typing import Any

import httpx


class ArcadeHttpError(RuntimeError):
    pass


class ArcadeHttp:
    def __init__(self, base_url: str, auth: tuple[str, str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(f"{self.base_url}{path}", json=body, auth=self.auth, timeout=60)
        if response.status_code >= 400:
            raise ArcadeHttpError(f"ArcadeDB {path} answered {response.status_code}: {response.text[:300]}")
        answer: dict[str, Any] = response.json()
        return answer

    def create_database(self, name: str) -> None:
        self._post("/api/v1/server", {"command": f"create database {name}"})

    def drop_database(self, name: str) -> None:
        self._post("/api/v1/server", {"command": f"drop database {name}"})

    def restore_database(self, name: str, archive_uri: str) -> None:
        """Create database `name` from a backup zip (the server must allow local restores:
        `allow_local_restores`)."""
        self._post("/api/v1/server", {"command": f"restore database {name} {archive_uri}"})

    def allow_local_restores(self) -> None:
        """Let `restore_database` read a `file://` backup (off by default; the test suite's own
        server turns it on to copy a seeded database rather than seed every module again)."""
        self._post("/api/v1/server",
                   {"command": "set server setting arcadedb.server.restoreImportAllowLocalUrls true"})

    def sql(self, database: str, command: str) -> dict[str, Any]:
        return self._post(f"/api/v1/command/{database}", {"language": "sql", "command": command})
