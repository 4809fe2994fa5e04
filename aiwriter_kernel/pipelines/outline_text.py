"""An outline edited as plain text: ``# title``, ``## section`` lines and ``- point`` bullets.

One text area is the whole editor: headings can be renamed, sections added, removed or
moved by moving their lines. A section whose heading is kept keeps the source labels the
planner gave it, so the draft still cites the same evidence.

Stricter than ``outline_parser`` (which salvages what it can from a model's answer): a
person's edit is never guessed at; the line that cannot be read is named instead. Front
ends with a plain-text outline editor (the app's Write page) use this module.
"""

from __future__ import annotations

import re

from pydantic import ValidationError as PydanticValidationError

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.article_models import Outline, OutlineSection
from aiwriter_kernel.pipelines.outline_parser import POINT

TITLE = re.compile(r"^\s{0,3}#\s+(.+?)\s*$")
SECTION = re.compile(r"^\s{0,3}##\s+(.+?)\s*$")


def outline_to_text(outline: Outline) -> str:
    """The outline as the text ``text_to_outline`` reads back."""
    return outline.to_markdown()


def text_to_outline(text: str, original: Outline | None = None) -> Outline:
    """Read the edited text; a ValidationError that names the line for anything unusable."""
    labels = {s.heading: s.source_labels for s in original.sections} if original else {}
    title: str | None = None
    sections: list[OutlineSection] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if match := SECTION.match(line):
            heading = match.group(1)
            sections.append(_section(heading, number, source_labels=list(labels.get(heading, []))))
        elif match := TITLE.match(line):
            if title is not None:
                raise ValidationError(f"line {number}: the outline has two titles ('# ...')")
            title = match.group(1)
        elif (match := POINT.match(line)) and sections:
            sections[-1].points.append(match.group(1))
        else:
            raise ValidationError(
                f"line {number}: expected '## section' or '- point' under a section, "
                f"got {line.strip()[:60]!r}"
            )
    if title is None:
        raise ValidationError("the outline has no title: start it with '# Title'")
    if not sections:
        raise ValidationError("the outline needs at least one '## section'")
    try:
        return Outline(title=title, sections=sections)
    except PydanticValidationError as error:
        raise ValidationError(f"the outline is not usable: {error.errors()[0]['msg']}") from None


def _section(heading: str, number: int, *, source_labels: list[int]) -> OutlineSection:
    try:
        return OutlineSection(heading=heading, source_labels=source_labels)
    except PydanticValidationError as error:
        raise ValidationError(f"line {number}: {error.errors()[0]['msg']}") from None
