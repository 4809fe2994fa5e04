"""Typed request, stages and result of the article pipeline."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aiwriter_kernel.pipelines.request_fields import ModelName, ProviderName, WorkspaceName

ArticleFormat = Literal["article", "essay", "news", "how-to", "listicle", "faq"]
ARTICLE_FORMATS: tuple[str, ...] = ("article", "essay", "news", "how-to", "listicle", "faq")


class ArticleRequest(BaseModel):
    """What the writer asks for. Validation happens here, before any work starts."""

    model_config = ConfigDict(frozen=True)

    topic: str = Field(max_length=300)
    format: ArticleFormat = "article"
    keywords: tuple[str, ...] = ()
    audience: str | None = Field(default=None, max_length=200)
    tone: str | None = Field(default=None, max_length=100)
    target_words: int = Field(default=900, ge=150, le=6000)
    sections: int | None = Field(default=None, ge=2, le=12)
    persona: str | None = Field(default=None, max_length=100)
    # Write even when the knowledge base covers the topic only thinly (with a warning).
    allow_thin: bool = False
    # At most this many hits of one source per research query (0: no limit), so a section's
    # evidence is not one long document's chunks; the planner's evidence gathering reads
    # sources paragraph by paragraph and is not limited.
    per_source: int = Field(default=0, ge=0, le=100)
    workspace: WorkspaceName = "default"
    provider: ProviderName = None
    model: ModelName = None

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, topic: str) -> str:
        if not topic.strip():
            raise ValueError("the topic is empty: say what the article is about")
        return " ".join(topic.split())

    @field_validator("keywords")
    @classmethod
    def _clean_keywords(cls, keywords: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(k.strip() for k in keywords if k.strip())

    @property
    def section_count(self) -> int:
        """Explicit, or about one section per 200 words, between 3 and 8."""
        return self.sections or max(3, min(8, self.target_words // 200))


class OutlineSection(BaseModel):
    heading: str = Field(min_length=1, max_length=200)
    points: list[str] = Field(default_factory=list)
    source_labels: list[int] = Field(default_factory=list)


class Outline(BaseModel):
    """The plan a writer can edit before the draft is (re)written."""

    title: str = Field(min_length=1, max_length=300)
    sections: list[OutlineSection] = Field(min_length=1, max_length=20)

    def to_markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        for section in self.sections:
            lines.append(f"## {section.heading}")
            lines.extend(f"- {point}" for point in section.points)
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


class Citation(BaseModel):
    """A numbered reference: one source, and the chunks of it the draft drew on."""

    label: int
    source_id: int
    title: str
    origin: str
    chunk_ids: list[str]


class PipelineEvent(BaseModel):
    """Progress every front end can show: a stage started or finished, a section written.

    Every pipeline reports through it: "generate" is a model call producing text,
    "check" the validation of its output (limits, citations, banned words).
    """

    stage: Literal["research", "outline", "section", "generate", "check", "review", "store", "done"]
    message: str
    section: str | None = None
    text: str | None = None
    sections: int | None = None  # how many sections the article has, once planned: a total


class ArticleResult(BaseModel):
    """The stored draft: its Markdown, outline, references and the review's findings."""

    draft_id: int
    version: int
    title: str
    markdown: str
    outline: Outline
    citations: list[Citation]
    uncited_claims: list[str]
    warnings: list[str]
    provider: str
    regenerated_sections: list[str] = Field(default_factory=list)
    meta_description: str | None = None
    word_count: int = 0  # of the article's prose: headings and references not counted
    target_words: int | None = None
    coverage: float | None = None  # how well the knowledge base matched the topic
