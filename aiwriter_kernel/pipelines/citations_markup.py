"""Citation markers in text: find them, drop unknown ones, renumber in reading order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from aiwriter_kernel.text.citation_marker import MARKER

CITED = MARKER  # the same pattern, named for stripping markers out of sentences


def labels_in(text: str) -> list[int]:
    """Every label cited in ``text``, in order of first appearance."""
    seen: list[int] = []
    for match in MARKER.finditer(text):
        for label in (int(n) for n in match.group(1).split(",")):
            if label not in seen:
                seen.append(label)
    return seen


def rewrite_markers(text: str, mapping: Callable[[int], int | None]) -> str:
    """Map each label through ``mapping``; labels mapped to None are removed."""

    def replace(match: re.Match[str]) -> str:
        labels = [mapping(int(n)) for n in match.group(1).split(",")]
        kept = sorted({label for label in labels if label is not None})
        return f" [{', '.join(map(str, kept))}]" if kept else ""

    return MARKER.sub(replace, text)


def keep_only(text: str, allowed: Iterable[int]) -> tuple[str, list[int]]:
    """Remove markers whose label is not allowed; return the text and what was removed."""
    allowed = set(allowed)
    removed = [label for label in labels_in(text) if label not in allowed]
    return rewrite_markers(text, lambda label: label if label in allowed else None), removed
