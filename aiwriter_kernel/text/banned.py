"""Find and remove a persona's banned words, so they never reach its outputs.

Matching is whole-word and case-insensitive ("synergy" bans "Synergy" but not
"synergystic"); a banned phrase matches across any whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from aiwriter_kernel.text.sentences import split_sentences


@lru_cache(maxsize=256)
def _pattern(banned: tuple[str, ...]) -> re.Pattern[str] | None:
    phrases = sorted({" ".join(b.split()).lower() for b in banned if b.strip()}, key=len)
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in reversed(phrases))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def count_phrase(text: str, phrase: str) -> int:
    """How often ``phrase`` occurs in ``text``, matched as ``find_banned`` matches it."""
    pattern = _pattern((phrase,))
    return 0 if pattern is None else len(pattern.findall(text))


def find_banned(text: str, banned: Iterable[str]) -> list[str]:
    """The banned words and phrases ``text`` contains, lower-cased, each once, in order."""
    pattern = _pattern(tuple(banned))
    if pattern is None:
        return []
    found: list[str] = []
    for match in pattern.finditer(text):
        word = " ".join(match.group(0).split()).lower()
        if word not in found:
            found.append(word)
    return found


def drop_banned_sentences(text: str, banned: Iterable[str]) -> tuple[str, int]:
    """``text`` without the sentences (or list items and headings) that use a banned word.

    Whole sentences go rather than single words, so what remains still reads as
    written. Returns the text and how many sentences were removed.
    """
    banned = tuple(banned)
    if _pattern(banned) is None:
        return text, 0
    removed = 0
    kept_blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        kept_lines: list[str] = []
        for line in block.splitlines():
            if not find_banned(line, banned):
                kept_lines.append(line)
                continue
            sentences = split_sentences(line)
            clean = [s for s in sentences if not find_banned(s, banned)]
            removed += len(sentences) - len(clean)
            if clean and not re.match(r"^\s*(#|[-*+]\s|\d+[.)]\s)", line):
                kept_lines.append(" ".join(clean))
        if kept_lines:
            kept_blocks.append("\n".join(kept_lines))
    return "\n\n".join(kept_blocks), removed
