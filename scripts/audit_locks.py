"""`make audit`: each lock file's exact versions checked by pip-audit against the known
vulnerabilities (PyPI's advisory data, the default service). Fails on any vulnerability found.

pip-audit says "could not be audited" (and exits 0) for a package whose advisory data it could
not fetch; this says so loudly, with the count, so that an audit that could not be made is
never taken for a clean one. (On this project's build machines only the package index itself
is reachable, not PyPI's per-version JSON API, and so nothing can be audited there.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def audit(lock: Path) -> tuple[int, int, int]:
    """(packages audited, vulnerabilities found, packages that could not be audited)."""
    done = subprocess.run([sys.executable, "-m", "pip_audit", "--require-hashes", "--disable-pip", "--format", "json",
                           "--progress-spinner", "off", "-r", str(lock)], capture_output=True, text=True, timeout=900)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"pip-audit gave no report for {lock} (exit {done.returncode})") from None
    skipped = [d for d in report["dependencies"] if d.get("skip_reason")]
    found = [(d["name"], d["version"], v["id"], ", ".join(v.get("fix_versions") or []) or "no fix yet")
             for d in report["dependencies"] for v in d.get("vulns", [])]
    for name, version, identifier, fixed in found:
        print(f"  {lock.name}: {name} {version}: {identifier} (fixed in {fixed})")
    return len(report["dependencies"]) - len(skipped), len(found), len(skipped)


def main(locks: list[str]) -> int:
    failed = False
    for lock in map(Path, locks):
        audited, found, skipped = audit(lock)
        print(f"{lock}: {audited} packages audited, {found} known vulnerabilities"
              + (f"; NOT AUDITED: {skipped} packages whose advisory data could not be fetched" if skipped else ""))
        failed |= found > 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
