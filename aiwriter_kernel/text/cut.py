"""Cutting a text to a length at a word, for titles, labels and one-line summaries."""

from __future__ import annotations


def fit(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary so it is at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-— ")
    return cut + "…"
