"""Read an outline written as Markdown (by a model or a person) into an ``Outline``.

Models do not always follow the format; anything that cannot be used is reported so the
pipeline can fall back to the offline outline instead of storing garbage.
"""

from __future__ import annotations

import re

from aiwriter_kernel.pipelines.article_models import Outline, OutlineSection
from aiwriter_kernel.text.sentences import heading_text

HEADING = re.compile(r"^\s{0,3}(#{1,3})\s+(.+)$")  # closing hashes: heading_text
POINT = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+?)\s*$")
LABEL = re.compile(r"\[(\d+)\]")
MARKUP = re.compile(r"[*_`]+")


class OutlineParseError(ValueError):
    """The text is not an outline with a title and at least two sections."""


def parse_outline(
    text: str, *, fallback_title: str, valid_labels: set[int], min_sections: int = 2
) -> Outline:
    """``# title``, ``## section`` lines with ``- point [n]`` bullets; unknown labels dropped.
    ``min_sections`` is 1 when the planner found evidence for only one section."""
    title = None
    sections: list[OutlineSection] = []
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            level, words = len(heading.group(1)), _clean(heading_text(heading.group(2)))
            if level == 1 and title is None:
                title = words
            elif words:
                sections.append(OutlineSection(heading=words[:200]))
            continue
        point = POINT.match(line)
        if point and sections:
            labels = [int(n) for n in LABEL.findall(point.group(1)) if int(n) in valid_labels]
            sections[-1].points.append(_clean(LABEL.sub("", point.group(1))))
            sections[-1].source_labels.extend(
                n for n in labels if n not in sections[-1].source_labels
            )
    if len(sections) < min_sections:
        raise OutlineParseError(
            f"expected at least {min_sections} '## ' sections, found {len(sections)}"
        )
    return Outline(title=(title or fallback_title)[:300], sections=sections[:20])


def _clean(text: str) -> str:
    return " ".join(MARKUP.sub("", text).split()).strip(" :-")
