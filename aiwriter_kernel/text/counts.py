"""A count with its noun in the right number: "1 chunk", "3 chunks", "0 rows".

Front ends print counts of many things (chunks, rows, sources, entries); "1 chunks" reads
as careless, so every count a person reads goes through this one rule.
"""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun``, the noun plural unless the count is exactly one."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"
