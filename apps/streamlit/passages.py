"""A search hit's passage as a reader should see it: plain text under its heading path.

Passages are cut from Markdown sources, so they carry heading lines (``# Title``,
``## Methods``). Shown as they are, the reader sees raw ``#`` marks; rendered as Markdown, a
snippet would shout in heading sizes. The headings the passage opens with become a label
(``Title > Methods``); a heading further down stays in the text, as a plain line, where it
still tells the reader that a new section starts there.
"""

from __future__ import annotations

import re
from typing import NamedTuple

HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
PATH_SEPARATOR = " > "


class Passage(NamedTuple):
    """The headings a passage opens under, outermost first, and its plain text."""

    headings: tuple[str, ...]
    text: str

    def label(self, title: str) -> str:
        """The heading path, leaving out a first heading that only repeats the source title."""
        headings = self.headings
        if headings and headings[0].casefold() == title.strip().casefold():
            headings = headings[1:]
        return PATH_SEPARATOR.join(headings)


def plain_passage(text: str) -> Passage:
    """Split ``text`` into the heading path it opens with and its text without ``#`` marks.

    The path follows the Markdown levels: a heading replaces the ones at its level and
    deeper, so a passage opening ``# A``, ``## B``, ``## C`` is labelled ``A > C``.
    """
    path: list[tuple[int, str]] = []
    body: list[str] = []
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading is None:
            body.append(line)
        elif any(body_line.strip() for body_line in body):
            body.append(heading.group(2))  # a later section: its name, as plain text
        else:
            level = len(heading.group(1))
            path = [(depth, name) for depth, name in path if depth < level]
            path.append((level, heading.group(2)))
    plain = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
    return Passage(tuple(name for _, name in path if name), plain)
