"""Reading an uploaded workbook without letting it stall or bloat the server.

An .xlsx is a zip of XML: 192 kB can declare a million styles and 1 MB can hold a shared
string that unpacks to gigabytes. So, before any XML is parsed, the archive's directory is
checked against limits on what it unpacks to (in all, per sheet, shared strings, styles,
entries): those sizes bind, since Python's zip reader never returns more than an entry
declares. Then the workbook is parsed in a child interpreter with a memory and CPU ceiling and
a wall-clock limit, and killed past it: the server's own memory is untouched and returns to
where it was. Each child reads one upload and ends; the next one is started as soon as the last
is read, so that its interpreter start and imports (about 0.3 s) are done before its upload
comes (`_Spare`). openpyxl reads through defusedxml (a dependency), so a DTD or an external
entity is refused, never followed.

No library does this whole job (openpyxl has no limits of its own), hence these few lines.
"""

from __future__ import annotations

import asyncio
import atexit
import io
import json
import os
import pickle
import subprocess
import sys
import threading
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from collab_api.qart.layout import MARTHAS_RULE, ReturnLayout
from collab_api.qart.reader import ParsedReturn, WorkbookError, WorkbookTooLarge, read_return

MB = 1024 * 1024

@dataclass(frozen=True)
class WorkbookLimits:
    unpacked_bytes: int = 64 * MB  # everything the archive unpacks to
    sheet_bytes: int = 32 * MB  # one worksheet's XML
    shared_strings_bytes: int = 8 * MB  # every text cell's text, once
    styles_bytes: int = 4 * MB  # number formats, fonts, fills, cell styles
    entries: int = 500
    seconds: float = 10.0  # wall clock for the parse (a real return takes well under one)
    memory_bytes: int = 1536 * MB  # the child's address space

LIMITS = WorkbookLimits()

def check_archive(data: bytes, limits: WorkbookLimits = LIMITS) -> None:
    """Refuse an archive whose declared sizes are over the limits, before anything is unpacked."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError("not a readable Excel workbook (.xlsx): it is not a zip archive, or a damaged one") from exc
    if len(entries) > limits.entries:
        raise WorkbookTooLarge(f"the workbook holds {len(entries)} parts; at most {limits.entries} are read")
    for entry in entries:
        name = entry.filename.lower()
        for part, limit, what in (("sharedstrings", limits.shared_strings_bytes, "the text of its cells"),
                                  ("styles", limits.styles_bytes, "its list of styles"),
                                  ("worksheets/", limits.sheet_bytes, f"the sheet part {Path(entry.filename).name}")):
            if part in name and entry.file_size > limit:
                raise WorkbookTooLarge(f"{what} unpacks to {entry.file_size // MB} MB; at most {limit // MB} MB are read")
    total = sum(entry.file_size for entry in entries)
    if total > limits.unpacked_bytes:
        raise WorkbookTooLarge(f"the workbook unpacks to {total // MB} MB; at most {limits.unpacked_bytes // MB} MB are read "
                               "(a QART return unpacks to well under 1 MB: is it the right file?)")

def _set_ceilings(limits: WorkbookLimits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _parse_in_child(data: bytes, limits: WorkbookLimits, layout: ReturnLayout) -> tuple[str, Any]:
    """In the child, under its ceilings: parse, answer (status, parsed return or reason)."""
    too_large = ("too large", "the workbook needs more memory to read than a return ever should")
    try:
        return ("read", read_return(data, layout))
    except WorkbookError as exc:
        return too_large if _at_ceiling(limits.memory_bytes) else ("refused", str(exc))
    except MemoryError:
        return too_large
    except Exception as exc:  # openpyxl, zlib and the XML parser raise assorted errors on damaged or hostile files
        if "memory" in str(exc).lower() or _at_ceiling(limits.memory_bytes):  # what failed was an allocation
            return too_large
        return ("refused", f"not a readable Excel workbook (.xlsx): {type(exc).__name__}")


def _at_ceiling(limit: int) -> bool:
    """Has this process reached its address-space ceiling (so that an error was an allocation
    refused, whatever library reported it and however)?"""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    peak = next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmPeak:")), 0)
    return peak >= 0.9 * limit


class _Spare:
    """The child for the next upload, started ahead of it: its interpreter up, its modules
    imported and its ceilings set, blocked reading its standard input. One per process, for the
    limits and layout of the last upload, and only once an upload has come (a server that is
    never sent one keeps none). It reads one upload and ends, like any child; it ends too when
    this process does (atexit, or its standard input closing)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._command: list[str] = []
        atexit.register(self.close)

    def take(self, command: list[str]) -> subprocess.Popen[bytes]:
        """A child for `command`: the spare if it is for that command and alive, else a new one."""
        with self._lock:
            spare, self._child, same = self._child, None, self._command == command
        if spare is not None and (spare.poll() is not None or not same):  # ended while it waited, or other limits
            self._stop(spare)
            spare = None
        return spare or _start(command)

    def ready(self, command: list[str]) -> None:
        """Start the spare for the next upload like the last (once this one is read, so that it
        does not take the processor from it)."""
        with self._lock:
            if self._child is None:
                self._command = command
                self._child = _start(command)

    def close(self) -> None:
        with self._lock:
            self._stop(self._child)
            self._child = None

    @staticmethod
    def _stop(child: subprocess.Popen[bytes] | None) -> None:
        if child is not None:
            child.kill()
            child.communicate()


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


_SPARE = _Spare()


def read_isolated_sync(data: bytes, limits: WorkbookLimits = LIMITS, layout: ReturnLayout = MARTHAS_RULE) -> ParsedReturn:
    """Parse in a child interpreter of its own (`python -m collab_api.qart.isolated`: the bytes
    on its standard input, the answer pickled on its standard output), killed past the time
    limit. A child of its own rather than multiprocessing's: those re-run the parent's main
    script in the child, which fails where it has none and costs its imports where it has."""
    check_archive(data, limits)
    command = [sys.executable, "-m", "collab_api.qart.isolated", json.dumps(asdict(limits)), layout.as_json()]
    child = _SPARE.take(command)
    try:
        answer, _ = child.communicate(data, timeout=limits.seconds + 2)  # + the interpreter's start, for a child just started
    except subprocess.TimeoutExpired as exc:
        child.kill()
        child.communicate()
        raise WorkbookTooLarge(f"reading the workbook took over {limits.seconds:g} s and was stopped "
                               "(a QART return reads in well under a second: is it the right file?)") from exc
    finally:
        _SPARE.ready(command)
    try:
        status, value = pickle.loads(answer)  # noqa: S301 - our own child's answer, never the upload's bytes
    except Exception as exc:  # killed by its memory or CPU ceiling before it could answer
        raise WorkbookTooLarge("the workbook needs more memory or time to read than a return ever should") from exc
    if status == "read":
        assert isinstance(value, ParsedReturn)
        return value
    raise (WorkbookTooLarge if status == "too large" else WorkbookError)(value)


async def read_isolated(source: bytes | Path | str, limits: WorkbookLimits = LIMITS,
                        layout: ReturnLayout = MARTHAS_RULE) -> ParsedReturn:
    """The workbook read as `read_return` reads it, within the limits, off the event loop."""
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    return await asyncio.to_thread(read_isolated_sync, data, limits, layout)


if __name__ == "__main__":  # the child: `python -m collab_api.qart.isolated LIMITS-JSON LAYOUT-JSON` < workbook > answer
    given = WorkbookLimits(**json.loads(sys.argv[1]))
    chosen = ReturnLayout.from_json(sys.argv[2]) if len(sys.argv) > 2 else MARTHAS_RULE
    _set_ceilings(given)  # before the upload is even read: all of it is under the ceiling
    try:
        upload = sys.stdin.buffer.read()
    except MemoryError:
        sys.exit(3)  # no answer: the parent says the workbook needs more memory than a return should
    sys.stdout.buffer.write(pickle.dumps(_parse_in_child(upload, given, chosen)))
    sys.stdout.buffer.flush()
    os._exit(0)  # the answer is out: no interpreter teardown for the parent to wait for
