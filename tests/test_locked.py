"""Every install comes from the lock files: exact versions with hashes, resolved from
pyproject.toml (`make lock`); this environment (made by `make test`) has exactly them; the
image's lock has the app's dependencies and nothing for development or tests."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$", re.MULTILINE)


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def _locked(path: Path) -> dict[str, str]:
    text = path.read_text()
    entries = {_name(m[1]): m[2] for m in ENTRY.finditer(text)}
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    assert all("--hash=sha256:" in block for block in blocks if not block.startswith("#")), "every entry has its hashes"
    return entries


def test_the_locks_cover_pyproject_and_this_environment_is_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    extras = {_name(r) for group in project["optional-dependencies"].values() for r in group}
    full, image = _locked(ROOT / "requirements.lock"), _locked(ROOT / "deploy" / "requirements-image.lock")
    assert runtime | extras <= set(full), f"not locked: {sorted((runtime | extras) - set(full))}"
    assert runtime <= set(image) and not ({"arcadedb-embedded", "pytest", "playwright"} & set(image))
    assert all(image[name] == full[name] for name in image), "the image runs the versions the tests ran"
    differing = []
    for name, locked in full.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # a platform's package not for this one (its marker excludes it)
        if installed != locked:
            differing.append(f"{name} {installed} (locked {locked})")
    assert not differing, "installed otherwise than the lock says: " + ", ".join(differing)


def test_every_install_uses_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "--require-hashes -r requirements-image.lock" in dockerfile and "--no-deps ." in dockerfile
    assert "make test" in (ROOT / ".ci" / "run").read_text() and "make audit" in (ROOT / ".ci" / "run").read_text()
