"""Redaction: a text found after the fact to hold patient data or blame is replaced, wherever
it is stored, by a marker. Pure helpers over JSON-like values."""

from __future__ import annotations

from typing import Any

MARKER = "[redacted]"
MIN_SUBSTRING = 8  # shorter texts are replaced only where a whole value equals them


def text_at(value: Any, path: str) -> str | None:
    """The string at a dotted path ("evidence.0.result") of a JSON-like value, if any."""
    current = value
    for part in path.split("."):
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return None
    return current if isinstance(current, str) and current.strip() else None


def redact(value: Any, text: str, marker: str = MARKER) -> Any:
    """`value` with `text` replaced by the marker in every string, all the way down (a short
    text only where a whole string equals it)."""
    if isinstance(value, str):
        if value == text:
            return marker
        return value.replace(text, marker) if len(text) >= MIN_SUBSTRING else value
    if isinstance(value, list):
        return [redact(item, text, marker) for item in value]
    if isinstance(value, dict):
        return {key: redact(item, text, marker) for key, item in value.items()}
    return value
