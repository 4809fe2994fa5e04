"""Typed tasks: what a pipeline asks of a model, independent of which model answers.

A chat provider renders a task through its Jinja2 template (``prompts/<name>.j2``);
the offline composer executes the same task directly from the sources. Each task
validates its own inputs so a bad request fails before any network call.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aiwriter_kernel.channels import ChannelName, get
from aiwriter_kernel.copywriting import CopyFormat, CopyFramework, resolve_framework

# What a writer answers when its sources hold nothing on the task (the offline composer says
# it; pipelines recognise it from any model and store nothing made up).
NO_EVIDENCE = "The sources provided do not contain enough evidence to answer this."
# The verdicts a fact check may give a claim.
VERDICTS = ("supported", "contradicted", "no_evidence")


class SourcePassage(BaseModel):
    """A piece of evidence a task may quote; ``label`` is the citation number ``[label]``."""

    model_config = ConfigDict(frozen=True)

    label: int = Field(ge=1)
    title: str
    origin: str
    text: str = Field(min_length=1)
    chunk_id: str | None = None


class Voice(BaseModel):
    """How a persona wants the text to sound; any task can carry one.

    Templates tell a model; the offline composer never picks a source sentence with a
    banned word; pipelines check every output against ``banned_words`` again.
    """

    model_config = ConfigDict(frozen=True)

    persona: str
    audience: str | None = None
    tone: str | None = None
    tone_words: tuple[str, ...] = ()
    banned_words: tuple[str, ...] = ()
    reading_grade: float | None = None
    max_sentence_words: int | None = None


class Task(BaseModel):
    """Base of every task: the template it renders through and the sources it may cite."""

    model_config = ConfigDict(frozen=True)

    template: ClassVar[str]
    sources: tuple[SourcePassage, ...] = ()
    voice: Voice | None = None

    def template_variables(self) -> dict[str, object]:
        """What the template renders: the task's fields, and whatever a task works out
        for its template (a rewrite: its channel's rules)."""
        return {name: getattr(self, name) for name in type(self).model_fields}

    @field_validator("sources")
    @classmethod
    def _labels_are_unique(cls, sources: tuple[SourcePassage, ...]) -> tuple[SourcePassage, ...]:
        labels = [source.label for source in sources]
        if len(labels) != len(set(labels)):
            raise ValueError("source labels must be unique")
        return sources


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class PlannedGroup(BaseModel):
    """A section the article planner grouped the evidence into: a suggested heading, its
    outline points (whole sentences ending in their citation, "... [2]") and the labels of
    its sources in reading order."""

    model_config = ConfigDict(frozen=True)

    heading: str
    points: tuple[str, ...] = ()
    labels: tuple[int, ...] = ()


class OutlineTask(Task):
    """Plan an article. With a ``plan``, the sections are already grouped and ordered:
    the outline keeps them and only words their headings and points."""

    template: ClassVar[str] = "outline"
    plan: tuple[PlannedGroup, ...] = ()
    topic: str
    audience: str | None = None
    tone: str | None = None
    keywords: tuple[str, ...] = ()
    sections: int = Field(default=4, ge=1, le=20)
    style: str = "article"  # article, essay, news, how-to, listicle or faq

    _topic = field_validator("topic")(_not_blank)


class SectionTask(Task):
    """Write one section. ``planned``: the sources are this section's own evidence, one
    passage per source in reading order, so the text follows them in that order."""

    template: ClassVar[str] = "section"
    planned: bool = False
    topic: str
    heading: str
    points: tuple[str, ...] = ()
    target_words: int = Field(default=250, ge=20, le=5000)
    tone: str | None = None
    # Sentences earlier sections already used, so the article never repeats one.
    avoid_sentences: tuple[str, ...] = ()

    _topic = field_validator("topic", "heading")(_not_blank)


class RewriteTask(Task):
    template: ClassVar[str] = "rewrite"
    text: str
    channel: ChannelName
    max_chars: int | None = Field(default=None, gt=0)
    keyword: str | None = None

    _text = field_validator("text")(_not_blank)

    def template_variables(self) -> dict[str, object]:
        """The fields, and the channel's hard limits and shape as the prompt states them."""
        instructions = get(self.channel).prompt_rules(self.max_chars)
        return {**super().template_variables(), "channel_instructions": instructions}


class CopyTask(Task):
    """Short copy in a framework, one ``Label: text`` block per section, written from
    ``text`` (a description, a draft) and/or the quoted ``sources``."""

    template: ClassVar[str] = "copy"
    framework: CopyFramework
    format: CopyFormat = "ad"
    text: str = ""
    offer: str | None = Field(default=None, max_length=200)
    audience: str | None = Field(default=None, max_length=200)
    cta: str | None = Field(default=None, max_length=200)
    keyword: str | None = Field(default=None, max_length=100)
    max_chars: int | None = Field(default=None, ge=60, le=5000)

    @field_validator("framework", mode="before")
    @classmethod
    def _known_framework(cls, value: object) -> object:
        return resolve_framework(value) if isinstance(value, str) else value

    @field_validator("offer", "audience", "cta", "keyword")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return " ".join(value.split()) or None if value is not None else None

    @model_validator(mode="after")
    def _has_material(self) -> CopyTask:
        if not self.text.strip() and not self.sources:
            raise ValueError("copy needs material: a text or sources to write from")
        return self


class TitleTask(Task):
    template: ClassVar[str] = "title"
    text: str
    keyword: str | None = None
    count: int = Field(default=3, ge=1, le=10)
    max_chars: int = Field(default=60, ge=10, le=200)

    _text = field_validator("text")(_not_blank)


class MetaDescriptionTask(Task):
    template: ClassVar[str] = "meta_description"
    text: str
    keyword: str | None = None
    min_chars: int = Field(default=120, ge=1)
    max_chars: int = Field(default=160, ge=1)

    _text = field_validator("text")(_not_blank)


class SummaryTask(Task):
    template: ClassVar[str] = "summary"
    max_words: int = Field(default=150, ge=10, le=5000)


class AnswerTask(Task):
    template: ClassVar[str] = "answer"
    question: str

    _question = field_validator("question")(_not_blank)


class ClaimsTask(Task):
    """List the checkable factual claims of a text, as JSON ``{"claims": [...]}``."""

    template: ClassVar[str] = "claims"
    text: str
    max_claims: int = Field(default=30, ge=1, le=200)

    _text = field_validator("text")(_not_blank)


class VerdictTask(Task):
    """Judge one claim against quoted sources, as JSON
    ``{"verdict", "label", "quote", "reason"}``."""

    template: ClassVar[str] = "verdict"
    claim: str

    _claim = field_validator("claim")(_not_blank)
