"""The one slug rule: lowercase ASCII letters and digits, anything else one hyphen.

File names of exports, the SEO audit's "keyword in slug" check and the slug the SEO
metadata proposes all build on it, so a keyword and its page agree on what a slug is.
"""

from __future__ import annotations

import re

NOT_SLUG = re.compile(r"[^a-z0-9]+")
APOSTROPHES = re.compile(r"['\u2019]")  # "Python's" -> "pythons", where a slug elides them


def slugify(text: str, limit: int | None = None) -> str:
    """'Python Tips, 2024!' -> 'python-tips-2024'; cut to ``limit`` characters (no trailing
    hyphen) when given. Letters outside ASCII are dropped, not transliterated."""
    slug = NOT_SLUG.sub("-", text.lower()).strip("-")
    return slug if limit is None else slug[:limit].rstrip("-")
