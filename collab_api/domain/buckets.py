"""Documents kept by the writes and read in parts (an intervention's lineage rows, the levels of
its resolved tree) are split into BUCKETS by an organisation's code, each its own node: a write
reads and rewrites the sixteenth it touches, a reader the part it needs, not a busy
intervention's whole document (hundreds of kilobytes). Separate nodes, not properties of one:
ArcadeDB rewrites a record whole, so sixteen properties on one node saved nothing (measured on
the spread participation, since undone: the write of one site's entry 7.3 -> 11.5 ms)."""

from __future__ import annotations

import zlib

BUCKETS = 16


def bucket_of(code: str) -> int:
    """A code's bucket: the same on every machine and run (not Python's salted hash)."""
    return zlib.crc32(code.encode()) % BUCKETS


def bucket_key(owner: str, bucket: int) -> str:
    """The key of an owner's bucket node (an intervention's, a tally's): writers and readers alike."""
    return f"{owner}|{bucket}"
