"""Markdown heading lines, recognised the same way wherever prose is cleaned of them."""

from __future__ import annotations

import re

# A line that starts as an ATX heading ("## Methods"): match it against one line at a time.
HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s")


def without_headings(text: str) -> list[str]:
    """The lines of ``text`` that are not headings (model prose must not bring its own)."""
    return [line for line in text.splitlines() if not HEADING_LINE.match(line)]
