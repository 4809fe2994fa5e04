"""The copywriting frameworks (AIDA, PAS, BAB, FAB, 4Ps, PSP) and the length limits of each
copy format, in one place.

The copy task, its prompt template, the offline composer and the copy pipeline all read
these definitions, so a section's label, its purpose and its length limit never disagree
between the prompt a model sees, the text the composer writes and the checks on the result.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CopyFormat = Literal["ad", "landing", "email"]
COPY_FORMATS: tuple[str, ...] = ("ad", "landing", "email")

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


class CopyLimits(BaseModel):
    """How long copy of one format may be: per section, in all, and how many sentences a
    section holds (a section never exceeds its share of the total)."""

    model_config = ConfigDict(frozen=True)

    section_chars: int = Field(ge=20)
    total_chars: int = Field(ge=20)
    sentences: int = Field(ge=1)


class FrameworkSection(BaseModel):
    """One labelled part of a framework and what it must do for the reader."""

    model_config = ConfigDict(frozen=True)

    label: str
    role: SectionRole
    purpose: str


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


FORMAT_LIMITS: dict[str, CopyLimits] = {
    "ad": CopyLimits(section_chars=160, total_chars=600, sentences=1),
    "landing": CopyLimits(section_chars=320, total_chars=1200, sentences=2),
    "email": CopyLimits(section_chars=480, total_chars=1800, sentences=3),
}


def _section(label: str, role: SectionRole, purpose: str) -> FrameworkSection:
    return FrameworkSection(label=label, role=role, purpose=purpose)


FRAMEWORKS: dict[str, CopyFramework] = {
    framework.key: framework
    for framework in (
        CopyFramework(
            key="aida",
            name="AIDA",
            title="Attention, Interest, Desire, Action",
            aliases=("attention-interest-desire-action",),
            sections=(
                _section("Attention", "hook", "stop the reader with one sharp, specific line"),
                _section("Interest", "interest", "give the facts that make the reader want more"),
                _section("Desire", "benefit", "show what the reader gains from the offer"),
                _section("Action", "action", "tell the reader exactly what to do next"),
            ),
        ),
        CopyFramework(
            key="pas",
            name="PAS",
            title="Problem, Agitate, Solution",
            aliases=("problem-agitate-solution",),
            sections=(
                _section("Problem", "problem", "name a problem the reader recognises"),
                _section("Agitate", "agitate", "show what the problem costs if nothing changes"),
                _section("Solution", "solution", "present the offer as the way out"),
            ),
        ),
        CopyFramework(
            key="bab",
            name="BAB",
            title="Before, After, Bridge",
            aliases=("before-after-bridge",),
            sections=(
                _section("Before", "problem", "describe the reader's situation today"),
                _section("After", "picture", "describe how things look once it is solved"),
                _section("Bridge", "solution", "show how the offer gets the reader there"),
            ),
        ),
        CopyFramework(
            key="fab",
            name="FAB",
            title="Features, Advantages, Benefits",
            aliases=("features-advantages-benefits",),
            sections=(
                _section("Features", "feature", "state what the offer is and what it has"),
                _section("Advantages", "advantage", "say what those features do better"),
                _section("Benefits", "benefit", "say what that means for the reader"),
            ),
        ),
        CopyFramework(
            key="4ps",
            name="4Ps",
            title="Promise, Picture, Proof, Push",
            aliases=("4p", "4-ps", "four-ps", "promise-picture-proof-push"),
            sections=(
                _section("Promise", "promise", "make one clear promise to the reader"),
                _section("Picture", "picture", "help the reader picture the result"),
                _section("Proof", "proof", "back the promise with numbers, studies or customers"),
                _section("Push", "action", "push the reader to act now"),
            ),
        ),
        CopyFramework(
            key="psp",
            name="PSP",
            title="Problem, Solution, Proof",
            aliases=("problem-solution-proof",),
            sections=(
                _section("Problem", "problem", "name a problem the reader recognises"),
                _section("Solution", "solution", "present the offer as the answer"),
                _section("Proof", "proof", "show evidence that the solution works"),
            ),
        ),
    )
}


def framework_names() -> str:
    """The valid names, for error messages: 'AIDA, PAS, BAB, FAB, 4Ps, PSP'."""
    return ", ".join(framework.name for framework in FRAMEWORKS.values())


def resolve_framework(name: str) -> CopyFramework:
    """The framework called ``name`` (any case, spaces or underscores for hyphens, or an
    alias such as 'problem-solution-proof'); a ``ValueError`` listing the valid ones."""
    wanted = "-".join(name.replace("_", " ").replace("-", " ").lower().split())
    for framework in FRAMEWORKS.values():
        if wanted == framework.key or wanted in framework.aliases:
            return framework
    raise ValueError(f"unknown copy framework {name!r}: use one of {framework_names()}")
