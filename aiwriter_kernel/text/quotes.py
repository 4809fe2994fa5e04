"""Finding a quote in its source, so a verdict's evidence is the source's own words."""

from __future__ import annotations

import re


def locate(quote: str, text: str) -> str | None:
    """``quote`` exactly as ``text`` writes it (line breaks and spacing may differ), or None."""
    parts = quote.split()
    if not parts:
        return None
    match = re.search(r"\s+".join(map(re.escape, parts)), text)
    return match.group(0) if match else None
