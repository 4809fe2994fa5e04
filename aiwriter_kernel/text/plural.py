"""A number with its noun in the right number: "1 row", "2 rows", "0 rows"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, plural unless the count is one; ``plural`` for irregular
    nouns ("1 entry", "3 entries"). "1 rows" reads as a mistake, and a mistake in a label
    makes a reader doubt the number next to it."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"
