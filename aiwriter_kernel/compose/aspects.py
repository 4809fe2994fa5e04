"""A topic's own parts, read from its wording, so the article follows the order it promises.

"How tea is grown, processed and brewed" promises three sections in that order; "Electric
vs petrol cars" promises two sides; "How to plant a tree" promises steps. Each aspect
becomes a search query of its own (the topic with the list replaced by that one item), so
the evidence for every part is looked for, and a part nothing covers can be named.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

AspectKind = Literal["single", "list", "comparison", "steps"]

WORD = r"[A-Za-z0-9][\w'\u2019-]*"
CONJUNCTION = re.compile(r"^(?:and|or|&)\s+|\s+(?:and|or|&)\s+", re.IGNORECASE)
# Two single words joined by "and": aspects when they share a grammatical shape ("growing
# and brewing") or follow a form of "to be" ("is grown and brewed").
PAIR = re.compile(rf"(?P<first>{WORD})\s+(?:and|&)\s+(?P<second>{WORD})")
PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being|gets|get)\s+$", re.IGNORECASE)
VERSUS = re.compile(r"\s+(?:vs\.?|versus|v\.|compared\s+(?:with|to))\s+", re.IGNORECASE)
EITHER = re.compile(r"\s+or\s+", re.IGNORECASE)
CHOICE_OPENERS = re.compile(r"^(?:should\s+(?:you|i|we)\s+|which\s+is\s+better:?\s*)", re.I)
STEPS = re.compile(r"^how\s+to\s+", re.IGNORECASE)
TRAILING = re.compile(r"[\s?.!:;]+$")
SHAPES = ("ed", "ing", "tion", "ment", "ness")
MAX_SIDE_WORDS = 4


class TopicAspects(BaseModel):
    """What the topic's wording promises: its kind and, for lists and comparisons, the
    parts in the order the topic names them (``queries`` is what to search for each)."""

    model_config = ConfigDict(frozen=True)

    kind: AspectKind
    labels: tuple[str, ...] = ()
    queries: tuple[str, ...] = ()


def topic_aspects(topic: str, style: str = "article") -> TopicAspects:
    """The aspects of ``topic``; ``style`` "how-to" (or a "How to ..." topic) means steps."""
    text = TRAILING.sub("", " ".join(topic.split()))
    found = _comparison(text) or _series(text) or _pair(text)
    if found is not None:
        return found
    if style == "how-to" or STEPS.match(text):
        return TopicAspects(kind="steps")
    return TopicAspects(kind="single")


def _comparison(text: str) -> TopicAspects | None:
    """Two sides: "A vs B", or a short "A or B" choice ("Rent or buy a home")."""
    bare = CHOICE_OPENERS.sub("", text)
    sides = VERSUS.split(bare)
    if len(sides) != 2:
        sides = EITHER.split(bare)
        if len(sides) != 2 or any(len(side.split()) > MAX_SIDE_WORDS for side in sides):
            return None
    left, right = (side.strip() for side in sides)
    if not left or not right:
        return None
    left, right = _share_context(left, right)
    return TopicAspects(kind="comparison", labels=(left, right), queries=(left, right))


def _share_context(left: str, right: str) -> tuple[str, str]:
    """A one-word side borrows what the other side says around its first word:
    "Electric" vs "petrol cars" -> "Electric cars"; "Rent" or "buy a home" -> "Rent a home"."""
    left_words, right_words = left.split(), right.split()
    if len(left_words) == 1 and len(right_words) > 1:
        left = " ".join([left, *right_words[1:]])
    elif len(right_words) == 1 and len(left_words) > 1:
        right = " ".join([*left_words[:-1], right])
    return left, right


def _series(text: str) -> TopicAspects | None:
    """Three or more listed items ("the history, science and future of volcanoes"). The
    items in the middle say how many words an item has; the words before the first and
    after the last are the context every item shares ("the ... of volcanoes")."""
    segments = [segment.strip() for segment in text.split(",")]
    if len(segments) < 3 and not (len(segments) == 2 and CONJUNCTION.search(segments[1])):
        return None
    last = CONJUNCTION.split(segments[-1], maxsplit=1)
    middle = [*segments[1:-1], last[0]] if len(last) == 2 else []
    if not middle or any(not 1 <= len(item.split()) <= 3 for item in middle):
        return None
    size = max(len(item.split()) for item in middle)
    first_words, last_words = segments[0].split(), last[1].split()
    if len(first_words) < size or len(last_words) < size:
        return None
    items = [" ".join(first_words[-size:]), *middle, " ".join(last_words[:size])]
    prefix, suffix = " ".join(first_words[:-size]), " ".join(last_words[size:])
    return _listed(prefix, items, suffix)


def _pair(text: str) -> TopicAspects | None:
    """Two single words joined by "and" that share a shape (both -ing forms, both -ed...)
    or follow "is"/"are" (two participles) are two aspects: "How tea is grown and brewed"."""
    for match in PAIR.finditer(text):
        first, second = match.group("first").lower(), match.group("second").lower()
        shape = next((end for end in SHAPES if first.endswith(end)), None)
        passive = PASSIVE.search(text[: match.start()])
        if (shape and second.endswith(shape)) or passive:
            items = [match.group("first"), match.group("second")]
            return _listed(text[: match.start()], items, text[match.end() :])
    return None


def _listed(prefix: str, items: list[str], suffix: str) -> TopicAspects:
    """The topic once per item, with the list replaced by that item."""
    queries = tuple(" ".join(f"{prefix} {item} {suffix}".split()) for item in items)
    return TopicAspects(kind="list", labels=tuple(items), queries=queries)
