"""Title case for headings and titles the workbench builds from phrases."""

from __future__ import annotations

SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to"}
)


def title_case(text: str) -> str:
    """Capitalise a phrase for a heading, leaving acronyms and small words alone."""
    out = []
    for index, word in enumerate(text.split()):
        if word.isupper() or any(ch.isupper() for ch in word[1:]):
            out.append(word)
        elif index > 0 and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)
