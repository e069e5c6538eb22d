"""A database outage under write load: `collab serve` on its own local ArcadeDB, writers
running, the database killed. Clients are told 503 DATABASE_UNAVAILABLE within seconds (never
a 200), /readyz answers 503 within 2 s, the API's supervisor starts the database again without
the API restarting, and every write that was acknowledged is still there."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from collab_api.db.local_server import free_port
from tests.conftest import wait_ready

COLLAB = str(Path(sys.executable).parent / "collab")
RECORD = """mutation($input: RecordAdoptionInput!) { recordAdoption(input: $input) { errors { code } outcome } }"""
QUARTERS = [f"{year}/{(year + 1) % 100:02d} Q{n}" for year in (2023, 2024, 2025) for n in (1, 2, 3, 4)]


def _serve(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = free_port()
    env = {**os.environ, "COLLAB_ENV": "development", "COLLAB_DATA_DIR": str(tmp_path / "data"),
           "COLLAB_BOLT_PORT": str(free_port()), "COLLAB_ARCADEDB_HTTP_PORT": str(free_port()), "COLLAB_RATE_LIMIT": "0"}
    for name in ("NEO4J_URI", "NEO4J_PASSWORD", "NEO4J_USER", "NEO4J_DATABASE", "ARCADEDB_HTTP_URL"):
        env.pop(name, None)
    log = open(tmp_path / "serve.log", "wb")
    process = subprocess.Popen([COLLAB, "serve", "--seed", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    wait_ready(process, port, log=tmp_path / "serve.log")
    return process, f"http://127.0.0.1:{port}", env


AFTER = 24  # writes acknowledged after the outage (once one has been refused) before the writers stop


async def test_a_database_outage_under_write_load(tmp_path: Path) -> None:
    process, base, env = _serve(tmp_path)
    try:
        token = subprocess.run([COLLAB, "token", "--role", "NATIONAL"], env=env, capture_output=True, text=True,
                               check=True).stdout.strip().splitlines()[-1]
        headers = {"authorization": f"Bearer {token}"}
        slots = [(f"Z{trust:02d}", quarter) for trust in range(1, 43) for quarter in QUARTERS]
        acknowledged: list[tuple[str, str, str]] = []
        refused: list[tuple[int, float, str]] = []
        killed_at: list[float] = []

        async def writer(client: httpx.AsyncClient, mine: list[tuple[str, str]]) -> None:
            for organisation, quarter in mine:
                if refused and killed_at and len(acknowledged) - killed_at[1] >= AFTER:
                    return  # the outage met, and enough writes acknowledged since: the rest would show nothing new
                text = f"outage test {organisation} {quarter}"
                started = time.monotonic()
                try:
                    response = await client.post("/graphql", headers=headers, json={"query": RECORD, "variables": {"input": {
                        "organisation": organisation, "intervention": "news2-deterioration", "stage": 3, "quarter": quarter,
                        "localResult": text}}}, timeout=12)
                except httpx.HTTPError as exc:  # the API itself must keep answering
                    raise AssertionError(f"the API did not answer: {exc!r}") from exc
                took = time.monotonic() - started
                body = response.json()
                if response.status_code == 200:
                    assert "errors" not in body and body["data"]["recordAdoption"]["errors"] == [], body
                    acknowledged.append((organisation, quarter, text))
                else:
                    code = (body.get("errors") or [{}])[0].get("extensions", {}).get("code", "")
                    refused.append((response.status_code, took, code))
                await asyncio.sleep(0.02)

        async def killer(client: httpx.AsyncClient) -> None:
            while len(acknowledged) < 40:
                await asyncio.sleep(0.05)
            state = json.loads((tmp_path / "data" / "arcadedb" / "server.json").read_text())
            os.kill(state["pid"], signal.SIGKILL)
            killed_at.extend([time.monotonic(), len(acknowledged)])
            # hold its port for a while, so that starting it again fails (and is tried again later)
            holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            for _ in range(100):
                try:
                    holder.bind(("127.0.0.1", state["httpPort"]))  # restarts fail at the port check
                    break
                except OSError:
                    await asyncio.sleep(0.02)
            holder.listen()
            try:
                await asyncio.sleep(0.5)
                ready = await client.get("/readyz", timeout=10)
                assert ready.status_code == 503  # how fast it answers is measured by the benchmark, not asserted here
                await asyncio.sleep(6)
            finally:
                holder.close()

        async with httpx.AsyncClient(base_url=base) as client:
            await asyncio.gather(killer(client), *(writer(client, slots[n::4]) for n in range(4)))
            assert killed_at, "the database was never killed"
            assert refused, "no request met the outage"
            # told the database is unavailable (or, under contention, busy): a 503, never a 200 or INTERNAL
            assert {status for status, _, _ in refused} == {503}
            assert {code for _, _, code in refused} <= {"DATABASE_UNAVAILABLE", "DATABASE_BUSY"}
            assert "DATABASE_UNAVAILABLE" in {code for _, _, code in refused}
            after = acknowledged[killed_at[1]:]
            assert len(after) >= AFTER, "writes succeeded after the database came back"
            assert process.poll() is None, "the API restarted"
            # every acknowledged write is there
            check = """query($ods: String!) { organisation(odsCode: $ods) { learningHistory {
                intervention { id } observations { quarter localResult } } } }"""
            stored = {}
            for organisation in sorted({o for o, _, _ in acknowledged}):
                body = (await client.post("/graphql", headers=headers, json={"query": check, "variables": {"ods": organisation}})).json()
                for adoption in body["data"]["organisation"]["learningHistory"]:
                    if adoption["intervention"]["id"] == "news2-deterioration":
                        stored.update({(organisation, o["quarter"]): o["localResult"] for o in adoption["observations"]})
            lost = [(o, q) for o, q, text in acknowledged if stored.get((o, q)) != text]
            assert lost == [], f"{len(lost)} acknowledged writes lost"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
