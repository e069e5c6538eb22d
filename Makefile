# The two commands that matter: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install sdl lock audit test-cluster bench bench-national bench-throughput bench-writers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions with their hashes (requirements.lock, from pyproject.toml by `make lock`):
# every install, CI's and the image's (deploy/requirements-image.lock) alike.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Install, start a local ArcadeDB (data kept in .collab/), apply the schema, load demo data, serve on :8000
run: $(STAMP)
	COLLAB_ENV=development $(BIN)/collab serve --seed --host 127.0.0.1 --port 8000

## Install and run the whole suite against a real database server over Bolt
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Re-resolve the lock files after changing pyproject.toml's dependencies (needs uv: pip install uv)
lock:
	uv pip compile pyproject.toml --extra local --extra test --generate-hashes --python-version 3.11 --universal --no-header -o requirements.lock
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --universal --no-header -o deploy/requirements-image.lock

## The locked versions against the known vulnerabilities (PyPI's advisory data; CI runs it)
audit: $(STAMP)
	$(BIN)/python scripts/audit_locks.py requirements.lock deploy/requirements-image.lock

## Re-export the GraphQL SDL to schema/schema.graphql
sdl: $(STAMP)
	$(BIN)/collab sdl --out schema/schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench

## The reads, writes and memory at national scale (loads the synthetic national network once, into .collab-bench/)
bench-national: $(STAMP)
	$(BIN)/python -m bench.national

## Requests per second of `collab serve` for a mixed read load at concurrency 16, by number of workers
bench-throughput: $(STAMP)
	$(BIN)/python -m bench.throughput

## Simultaneous writers on one intervention (1, 16, 64): time, writes a second, slowest write; counts checked after
bench-writers: $(STAMP)
	$(BIN)/python -m bench.concurrent_writes

clean:
	rm -rf $(VENV) .pytest_cache
