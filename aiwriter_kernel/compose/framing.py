"""The few sentences the writer adds itself: the title, what the article covers, and the
format's ending. They are structure, not content: none states a fact, so none carries a
citation, and every fact stays a cited sentence of a source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aiwriter_kernel.text.banned import count_phrase
from aiwriter_kernel.text.titles import title_case

TITLE_MAX_CHARS = 60
STEP_PREFIX = re.compile(r"^(?:step\s+\d+:|\d+\.)\s*", re.IGNORECASE)


def article_title(topic: str, keyword: str | None) -> str:
    """The topic as a title; with a keyword the topic does not use, a title that leads with
    it ("Readability: How to Write Readable Web Content"), kept within 60 characters when
    a shorter form exists."""
    title = title_case(topic)
    keyword = " ".join((keyword or "").split())
    if not keyword or count_phrase(title, keyword):
        return title
    options = [f"{title_case(keyword)}: {title}", f"{title} ({keyword})", title_case(keyword)]
    return next((o for o in options if len(o) <= TITLE_MAX_CHARS), options[-1])


def bare_heading(heading: str) -> str:
    """A heading without its "Step 2:" or "3." prefix."""
    return STEP_PREFIX.sub("", heading).strip()


def _shared_start(items: Sequence[str]) -> tuple[str, list[str]]:
    """Words every item starts with, and what is left of each ("How Tea Is Grown", "How
    Tea Is Brewed" -> "How Tea Is", ["Grown", "Brewed"]), so a list does not repeat them."""
    split = [item.split() for item in items]
    shared = 0
    while len(items) > 1 and all(len(words) > shared + 1 for words in split):
        if len({words[shared].lower() for words in split}) != 1:
            break
        shared += 1
    return " ".join(split[0][:shared]), [" ".join(words[shared:]) for words in split]


def _series(items: Sequence[str]) -> str:
    start, items = _shared_start(items)
    if start:
        return f"{start.lower()} {_series_of(items).lower()}"
    return _series_of(items)


def _series_of(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def coverage_sentence(headings: Sequence[str], keyword: str | None, style: str) -> str:
    """One sentence saying what the article covers, naming the keyword when given. It is
    phrased as an invitation ("Read on for..."), which is what it is: not a claim. One
    section needs no list of parts: then only the keyword is named, if any."""
    if len(headings) < 2 and style != "how-to":
        return f"Read on for a guide to {keyword}." if keyword else ""
    parts = _series([bare_heading(heading).rstrip("?") for heading in headings])
    if style == "how-to":
        about = f" for {keyword}" if keyword else ""
        return f"Follow {len(headings)} steps{about}: {parts}."
    if style == "faq":
        about = f" about {keyword}" if keyword else ""
        return f"Read on for answers{about}, on {parts}."
    about = f" a guide to {keyword}: " if keyword else " "
    return f"Read on for{about}{parts}."


def ending_heading(style: str) -> str:
    """What the closing section is called in each format."""
    return {"how-to": "Steps at a Glance", "faq": "Quick Answers"}.get(style, "Key Takeaways")


def ending(style: str, headings: Sequence[str], takeaways: Sequence[str | None]) -> str:
    """The closing section's body: the steps again for a how-to (no claims, no
    citations), a question and its cited answer for an FAQ, otherwise one cited
    takeaway per section that has one. Empty when there is nothing to end with."""
    if style == "how-to":
        return "\n".join(f"{n}. {bare_heading(h)}" for n, h in enumerate(headings, 1))
    pairs = [(h, t) for h, t in zip(headings, takeaways, strict=True) if t]
    if style == "faq":
        return "\n\n".join(f"**{bare_heading(h)}** {t}" for h, t in pairs)
    return "\n".join(f"- {t}" for _, t in pairs)
