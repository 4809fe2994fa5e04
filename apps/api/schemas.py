"""The API's own request and response models: what HTTP needs beyond the kernel's models.

Pipelines return the kernel's pydantic results unchanged (``ArticleResult``...); the models
here cover what only a remote caller sends or reads
(text to ingest, a search body, draft summaries without their text, a diff), and the
pipelines' request bodies: the kernel's models with ids bounded to what the database holds.
Each request model carries an example, so every route can be tried as is from the docs page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from aiwriter_kernel.pipelines.answer import QuestionRequest
from aiwriter_kernel.pipelines.article_models import ArticleRequest, Outline
from aiwriter_kernel.pipelines.copywriting import CopyRequest
from aiwriter_kernel.pipelines.fact_check import FactCheckRequest
from aiwriter_kernel.pipelines.rewrite import RewriteRequest
from aiwriter_kernel.pipelines.seo_metadata import SeoMetadataRequest
from aiwriter_kernel.pipelines.summary import SummaryRequest
from aiwriter_kernel.records import DraftRecord, DraftVersionRecord
from aiwriter_kernel.research.knowledge_base import MAX_K
from aiwriter_kernel.research.models import SearchFilters, SearchHit

# Ids are 32-bit integer columns on PostgreSQL; a larger id can name nothing.
MAX_ID = 2**31 - 1
StoredId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="An id (or version) from a listing.")]
WORKSPACE = Field(default="default", min_length=1, max_length=100, description="Your workspace.")


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ErrorDetail(BaseModel):
    """Every error answer: a plain-language line saying what went wrong; for a request that
    does not fit its schema, FastAPI's list of the fields at fault (``loc``, ``msg``)."""

    detail: str | list[dict[str, Any]] = Field(examples=["there is no draft 42"])


def json_error(description: str) -> dict[str, Any]:
    """An error answer documented as JSON ``ErrorDetail`` whatever the route's own media type
    (an event stream's 401 is still JSON)."""
    schema = {"$ref": "#/components/schemas/ErrorDetail"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class HealthStatus(BaseModel):
    """The process answers (liveness)."""

    status: Literal["ok"] = "ok"


class ReadyStatus(BaseModel):
    """The process can serve: the database answers with a current schema (readiness)."""

    status: Literal["ready"] = "ready"


class IngestTextRequest(BaseModel):
    """Text to add to the knowledge base as a Markdown source named after ``title``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Composting notes",
                    "text": "# Home composting\n\nWorms turn kitchen scraps into humus.",
                    "workspace": "default",
                    "tags": ["garden"],
                }
            ]
        },
    )

    title: str = Field(min_length=1, max_length=200, description="Names the source.")
    text: str = Field(min_length=1, description="Markdown or plain text.")
    workspace: str = WORKSPACE
    tags: list[str] = Field(default_factory=list, max_length=20)


class SearchRequest(BaseModel):
    """A knowledge-base search; each hit comes with the citation to quote it by."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"query": "how do worms help compost", "k": 5, "mode": "hybrid"}]
        },
    )

    query: str = Field(min_length=1, max_length=1000)
    k: int = Field(default=10, ge=1, le=MAX_K, description="How many hits at most.")
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    diversify: bool = Field(default=False, description="Prefer hits from different sources.")
    per_source: int = Field(
        default=0,
        ge=0,
        le=MAX_K,
        description="At most this many hits from any one source (0: no limit).",
    )
    source_ids: list[StoredId] | None = Field(default=None, min_length=1, max_length=100)
    tags: list[str] | None = Field(default=None, min_length=1, max_length=20)
    workspace: str = WORKSPACE

    def filters(self) -> SearchFilters | None:
        if self.source_ids is None and self.tags is None:
            return None
        return SearchFilters(
            source_ids=None if self.source_ids is None else tuple(self.source_ids),
            tags=None if self.tags is None else tuple(self.tags),
        )


class SearchResults(BaseModel):
    """The hits of one search, best first."""

    query: str
    hits: list[SearchHit]


class AnalyzeRequest(BaseModel):
    """A text to score: readability always; SEO with a keyword; voice with a persona."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "markdown": "# Home composting\n\nWorms turn kitchen scraps into humus.",
                    "keyword": "composting",
                }
            ]
        },
    )

    markdown: str = Field(min_length=1, max_length=500_000)
    keyword: str | None = Field(default=None, max_length=100)
    persona: str | None = Field(default=None, max_length=100)
    workspace: str = WORKSPACE


class OutlineResult(BaseModel):
    """A planned article: its new draft's id and the outline to edit before writing."""

    draft_id: int
    outline: Outline
    warnings: list[str] = Field(
        default_factory=list,
        description="What the plan had to leave out or make do with (a thin topic...).",
    )


class WriteDraftRequest(BaseModel):
    """Write a planned draft from its stored outline, or from an edited one."""

    model_config = ConfigDict(extra="forbid")

    outline: Outline | None = Field(
        default=None, description="An edited outline; only changed sections are rewritten."
    )


class DraftSummary(BaseModel):
    """A draft as listed: what it is, without its text."""

    id: int
    kind: str = Field(examples=["article", "rewrite:linkedin"])
    title: str
    topic: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: DraftRecord) -> DraftSummary:
        return cls.model_validate(record.model_dump())


class VersionSummary(BaseModel):
    """One step of a draft's history, without its text."""

    version: int
    stage: str = Field(examples=["outline", "draft", "edit"])
    created_at: datetime
    characters: int

    @classmethod
    def of(cls, record: DraftVersionRecord) -> VersionSummary:
        return cls(
            version=record.version,
            stage=record.stage,
            created_at=record.created_at,
            characters=len(record.content),
        )


class DraftVersion(BaseModel):
    """One version of a draft with its Markdown and what the pipeline recorded about it."""

    version: int
    stage: str
    content: str
    meta: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, record: DraftVersionRecord) -> DraftVersion:
        return cls.model_validate(record.model_dump(exclude={"id", "draft_id"}))


class DraftDetail(DraftSummary):
    """A draft with its latest version."""

    latest: DraftVersion


class DiffResponse(BaseModel):
    """A unified diff between two versions of a draft; empty when they are the same."""

    draft_id: int
    old: int
    new: int
    diff: str = Field(examples=["--- draft 1 v1\n+++ draft 1 v2\n@@ -1 +1 @@\n-Old\n+New\n"])


# -- the pipelines' request bodies ------------------------------------------------------------
# The kernel's request models, with examples for the docs and ids bounded to what the database
# can hold (an id beyond it is a 422 here, not a database error deep in a pipeline).


class RewriteBody(RewriteRequest):
    """A draft (``draft_id``), a text or a topic to rewrite for ``channel``."""

    model_config = _examples(
        {"channel": "linkedin", "text": "# Home composting\n\nWorms turn scraps into humus."},
        {"channel": "x-thread", "draft_id": 1},
    )

    draft_id: StoredId | None = None


class SeoMetadataBody(SeoMetadataRequest):
    """A draft or Markdown to make titles, descriptions, a slug and structured data for."""

    model_config = _examples(
        {"markdown": "# Home composting\n\nWorms turn scraps into humus.", "keyword": "compost"}
    )

    draft_id: StoredId | None = None


class SummaryBody(SummaryRequest):
    """Sources to summarise (``source_ids``), or a query choosing them, or both."""

    model_config = _examples({"query": "home composting", "max_words": 120})

    source_ids: list[StoredId] = Field(default_factory=list, max_length=20)


class QuestionBody(QuestionRequest):
    """A question for your knowledge base, optionally limited to some sources."""

    model_config = _examples({"question": "How do worms help compost?"})

    source_ids: list[StoredId] | None = Field(default=None, min_length=1, max_length=100)


class CopyBody(CopyRequest):
    """Short copy in a framework, from a text, a draft or a topic."""

    model_config = _examples({"framework": "AIDA", "offer": "A compost kit", "topic": "compost"})

    draft_id: StoredId | None = None


class FactCheckBody(FactCheckRequest):
    """A text or a draft whose claims are checked against your sources."""

    model_config = _examples({"text": "Worms turn kitchen scraps into humus within a week."})

    draft_id: StoredId | None = None


class ArticleBody(ArticleRequest):
    """What to write about, for whom and how long."""

    model_config = _examples(
        {"topic": "home composting", "keywords": ["compost"], "target_words": 400}
    )
