"""What a copywriting framework is: a named sequence of labelled sections, each with a role.

The copy task, its prompt template, the offline composer and the copy pipeline all read a
framework, so a section's label, its purpose and its length limit never disagree between
the prompt a model sees, the text the composer writes and the checks on the result.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.copywriting.formats import FORMAT_LIMITS, CopyLimits

# What kind of sentence a section wants; the offline composer picks sentences by it.
SectionRole = Literal[
    "hook",
    "interest",
    "problem",
    "agitate",
    "solution",
    "feature",
    "advantage",
    "benefit",
    "promise",
    "picture",
    "proof",
    "action",
]


class FrameworkSection(BaseModel):
    """One labelled part of a framework and what it must do for the reader."""

    model_config = ConfigDict(frozen=True)

    label: str
    role: SectionRole
    purpose: str


def section(label: str, role: SectionRole, purpose: str) -> FrameworkSection:
    return FrameworkSection(label=label, role=role, purpose=purpose)


class CopyFramework(BaseModel):
    """A named sequence of sections; ``key`` is its canonical lower-case name."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    title: str
    sections: tuple[FrameworkSection, ...]
    aliases: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(section.label for section in self.sections)

    @property
    def has_action(self) -> bool:
        """Whether a section of its own carries the call to action."""
        return any(section.role == "action" for section in self.sections)

    def limits(self, copy_format: str, max_chars: int | None = None) -> CopyLimits:
        """The format's limits for this framework; ``max_chars`` can only tighten the total."""
        base = FORMAT_LIMITS[copy_format]
        total = min(base.total_chars, max_chars) if max_chars else base.total_chars
        share = max(20, total // len(self.sections))
        return CopyLimits(
            section_chars=min(base.section_chars, share),
            total_chars=total,
            sentences=base.sentences,
        )
