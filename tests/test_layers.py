"""The layers import downwards only: HTTP → GraphQL → use cases → graph access → driver, with
the domain's pure rules (and the file formats built on them) importable by all and importing
none of them. The test reads every module's imports (including those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "collab_api"

# Higher number = higher layer. A module may import its own layer or any lower one.
LAYERS: dict[str, int] = {
    "collab_api": 0,            # the package's own __init__
    "collab_api.config": 0,
    "collab_api.domain": 0,
    "collab_api.telemetry": 0,  # the request's id and facts for logs, metrics and traces; JSON logs
    "collab_api.qart": 1,       # the QART workbook format: layout, reader, writer (no database)
    "collab_api.ods_files": 1,  # the national ODS CSV extracts: layouts and reader (no database)
    "collab_api.reports": 1,    # pictures drawn from rows (no database)
    "collab_api.db": 2,
    "collab_api.graph": 3,
    "collab_api.usecases": 4,
    "collab_api.api": 5,
    "collab_api.http": 6,
    "collab_api.web": 6,
    "collab_api.mail": 6,      # e-mail out: composing, the unsubscribe token, SMTP, the worker (beside HTTP)
    "collab_api.app": 7,
    "collab_api.cli": 8,
    "collab_api.__main__": 8,
}
NAMES = {0: "domain", 1: "formats", 2: "driver", 3: "graph access", 4: "use cases", 5: "GraphQL", 6: "HTTP", 7: "app", 8: "CLI"}


def layer_of(module: str) -> int | None:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    return imports_in(path.read_text(encoding="utf-8"))


def imports_in(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from collab_api.graph import adoptions` names a submodule
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return [(line, name) for line, name in found if name.startswith("collab_api")]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert [module_name(p) for p in MODULES if layer_of(module_name(p)) is None] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_downwards(path: Path) -> None:
    mine = layer_of(module_name(path))
    assert mine is not None
    upward = [
        f"line {line}: {name} ({NAMES[theirs]}) from {NAMES[mine]}"
        for line, name in imports_of(path)
        if (theirs := layer_of(name)) is not None and theirs > mine
    ]
    assert upward == []


def test_domain_imports_only_domain() -> None:
    """The pure rules import nothing of the application's but themselves."""
    outside = [
        f"{module_name(p)} line {line}: {name}"
        for p in (PACKAGE / "domain").rglob("*.py")
        for line, name in imports_of(p)
        if not name.startswith("collab_api.domain")
    ]
    assert outside == []


def test_the_check_catches_an_upward_import() -> None:
    """The walker itself works: an import inside a function of a domain module is seen, and
    graph access sits above the domain."""
    found = imports_in("def f():\n    from collab_api.graph import adoptions\n")
    assert (2, "collab_api.graph.adoptions") in found
    assert layer_of("collab_api.graph.adoptions") == 3 and layer_of("collab_api.domain.rows") == 0


def test_domain_graph_access_and_use_cases_type_check_strictly() -> None:
    """`mypy --strict` on the pure rules, graph access and the use cases."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "collab_api/domain", "collab_api/graph", "collab_api/usecases"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
