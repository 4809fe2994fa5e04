"""Request and response models of the job and batch routes.

A submission is a discriminated union on ``kind``: each kind carries its own pipeline's
request model, so the OpenAPI schema documents every field and FastAPI rejects a bad
request (422, naming the field) before anything is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aiwriter_kernel.pipelines.answer import QuestionRequest
from aiwriter_kernel.pipelines.article_models import ArticleRequest
from aiwriter_kernel.pipelines.calendar import CalendarRequest
from aiwriter_kernel.pipelines.copywriting import CopyRequest
from aiwriter_kernel.pipelines.fact_check import FactCheckRequest
from aiwriter_kernel.pipelines.rewrite import RewriteRequest
from aiwriter_kernel.pipelines.seo_metadata import SeoMetadataRequest
from aiwriter_kernel.pipelines.summary import SummaryRequest
from aiwriter_kernel.store.records import JobEventRecord, JobRecord, JobStatus


class ArticleJob(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "article",
                    "request": {"topic": "Writing for the web", "target_words": 600},
                }
            ]
        }
    )
    kind: Literal["article"]
    request: ArticleRequest


class RewriteJob(BaseModel):
    kind: Literal["rewrite"]
    request: RewriteRequest


class SeoMetadataJob(BaseModel):
    kind: Literal["seo-metadata"]
    request: SeoMetadataRequest


class SummaryJob(BaseModel):
    kind: Literal["summary"]
    request: SummaryRequest


class AnswerJob(BaseModel):
    kind: Literal["answer"]
    request: QuestionRequest


class CopyJob(BaseModel):
    kind: Literal["copy"]
    request: CopyRequest


class FactCheckJob(BaseModel):
    kind: Literal["fact-check"]
    request: FactCheckRequest


class CalendarJob(BaseModel):
    kind: Literal["calendar"]
    request: CalendarRequest


JobSubmission = Annotated[
    ArticleJob
    | RewriteJob
    | SeoMetadataJob
    | SummaryJob
    | AnswerJob
    | CopyJob
    | FactCheckJob
    | CalendarJob,
    Field(discriminator="kind"),
]


class JobLinks(BaseModel):
    self: str = Field(description="Where the job's status is read.")
    events: str = Field(description="Its progress as server-sent events.")


class JobAccepted(BaseModel):
    """The answer to a submission (202): where to follow the job."""

    id: str
    status: JobStatus
    kind: str
    links: JobLinks


class JobView(BaseModel):
    """A job as its owner sees it: the request, where it stands, and its outcome."""

    id: str
    kind: str
    status: JobStatus
    request: dict[str, Any]
    result: dict[str, Any] | None = Field(
        description="The pipeline's result once succeeded (an article's holds its draft_id)."
    )
    error: str | None = Field(description="One line saying why, once failed.")
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    links: JobLinks

    @classmethod
    def of(cls, job: JobRecord) -> JobView:
        return cls(
            **job.model_dump(exclude={"owner_id", "worker", "heartbeat_at"}),
            links=links_for(job.id),
        )


class JobEventView(BaseModel):
    """One event as JSON (the SSE stream sends the same: id = seq, event = type, data)."""

    seq: int
    type: str
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, event: JobEventRecord) -> JobEventView:
        return cls(seq=event.seq, type=event.type, data=event.data, created_at=event.created_at)


def links_for(job_id: str) -> JobLinks:
    return JobLinks(self=f"/api/jobs/{job_id}", events=f"/api/jobs/{job_id}/events")
