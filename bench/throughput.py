"""Throughput of `collab serve` under a mixed read load, by number of worker processes.

    python -m bench.throughput [--workers 1 4] [--concurrency 16] [--seconds 20]

For each worker count: `collab serve --seed --workers N` (production mode, the demo network,
a local ArcadeDB in a temporary folder kept between the runs), a warm-up, then `concurrency`
clients sending, for `seconds`, a fixed mix of anonymous reads: GraphQL queries (search,
an intervention with its spread, an organisation, the spread report, the network overview)
and pages (home, search, an intervention, the spread page). Prints requests per second,
latency percentiles and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from collab_api.db.local_server import free_port

GRAPHQL = [
    "{ searchInterventions(text: \"falls\", first: 10) { edges { node { intervention { id title } relevance } } } }",
    "{ intervention(id: \"news2-deterioration\") { title components { name } spread { organisationsReached regionsReached } } }",
    "{ organisation(odsCode: \"Z01\") { name kind trust { name } } }",
    "{ spreadReport(intervention: \"marthas-rule\") { quarter national { reported sites } byCollaborative { notApplicable } } }",
    "{ networkOverview { code name priorities { title } } }",
]
PAGES = ["/", "/search?q=falls", "/interventions/news2-deterioration", "/interventions/marthas-rule/spread"]


def requests() -> list[tuple[str, str]]:
    """The mix, in order: each client walks it from its own starting point."""
    mix = [("GET", f"/graphql?{httpx.QueryParams({'query': q})}") for q in GRAPHQL]
    mix += [("GET", page) for page in PAGES]
    return mix


async def load(base: str, concurrency: int, seconds: float, paths: list[str] | None = None) -> tuple[int, int, list[float]]:
    mix = [("GET", path) for path in paths] if paths else requests()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(start: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            index = start
            while time.perf_counter() < deadline:
                method, path = mix[index % len(mix)]
                began = time.perf_counter()
                response = await http.request(method, path)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200 or b'"errors"' in response.content[:200]:
                    errors += 1
                index += 1

    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return len(latencies), errors, latencies


def serve(data_dir: Path, workers: int, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COLLAB_ENV": "production", "COLLAB_DATA_DIR": str(data_dir), "COLLAB_RATE_LIMIT": "0",
           "COLLAB_SESSION_SECRET": secrets.token_urlsafe(48), "COLLAB_LOG_FORMAT": "json", "COLLAB_BOLT_PORT": str(free_port()),
           "COLLAB_ARCADEDB_HTTP_PORT": str(free_port()), "COLLAB_ARCADEDB_HEAP": "2g"}
    env.pop("NEO4J_URI", None)
    collab = str(Path(sys.executable).with_name("collab"))
    return subprocess.Popen([collab, "serve", "--seed", "--workers", str(workers), "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"collab serve did not become ready at {base}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; concurrency {args.concurrency}; {args.seconds:g} s per run; "
          f"mix of {len(GRAPHQL)} GraphQL queries and {len(PAGES)} pages")
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            process = serve(Path(folder), workers, port)
            try:
                wait_ready(base)
                asyncio.run(load(base, args.concurrency, 3))  # warm-up
                count, errors, latencies = asyncio.run(load(base, args.concurrency, args.seconds))
            finally:
                process.terminate()
                process.wait(timeout=60)
            latencies.sort()
            p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
            print(f"workers {workers}: {count / args.seconds:.1f} requests/s; p50 {p50 * 1000:.0f} ms, "
                  f"p95 {p95 * 1000:.0f} ms; {count} requests, {errors} errors")


if __name__ == "__main__":
    main()
