"""Request and response models of the job and batch routes.

A submission is a discriminated union on ``kind``: each kind carries its pipeline's request
body as the synchronous route takes it (``models.*Body``: ids bounded to what the database
holds), so the OpenAPI schema documents every field and FastAPI rejects a bad request (422,
naming the field) before anything is stored.

Views never show server paths: a batch job's request, result and progress events are shown
through ``batch_views``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from aiwriter_apps.api.batch_views import (
    public_batch_request,
    public_batch_result,
    public_progress,
)
from aiwriter_apps.api.schemas import (
    ArticleBody,
    CopyBody,
    FactCheckBody,
    QuestionBody,
    RewriteBody,
    SeoMetadataBody,
    SummaryBody,
)
from pydantic import BaseModel, ConfigDict, Field

from aiwriter_kernel.pipelines.calendar import CalendarRequest
from aiwriter_kernel.records import JobEventRecord, JobRecord, JobStatus
from aiwriter_kernel.redaction import hide_paths


class ArticleJob(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "article",
                    "request": {"topic": "home composting", "target_words": 600},
                }
            ]
        }
    )
    kind: Literal["article"]
    request: ArticleBody


class RewriteJob(BaseModel):
    kind: Literal["rewrite"]
    request: RewriteBody


class SeoMetadataJob(BaseModel):
    kind: Literal["seo-metadata"]
    request: SeoMetadataBody


class SummaryJob(BaseModel):
    kind: Literal["summary"]
    request: SummaryBody


class AnswerJob(BaseModel):
    kind: Literal["answer"]
    request: QuestionBody


class CopyJob(BaseModel):
    kind: Literal["copy"]
    request: CopyBody


class FactCheckJob(BaseModel):
    kind: Literal["fact-check"]
    request: FactCheckBody


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
    def of(cls, job: JobRecord, home: Path) -> JobView:
        """The view of ``job``; ``home`` (the server's) is kept out of what it shows."""
        shown = job.model_dump(exclude={"owner_id", "worker", "heartbeat_at"})
        shown["error"] = hide_paths(job.error, home)
        if job.kind == "batch":
            shown["request"] = public_batch_request(job.request)
            if job.result is not None:
                shown["result"] = public_batch_result(job.result, home)
        return cls(**shown, links=links_for(job.id))


class JobEventView(BaseModel):
    """One event as JSON (the SSE stream sends the same: id = seq, event = type, data)."""

    seq: int
    type: str
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, event: JobEventRecord, home: Path) -> JobEventView:
        data = public_event_data(event, home)
        return cls(seq=event.seq, type=event.type, data=data, created_at=event.created_at)


def public_event_data(event: JobEventRecord, home: Path) -> dict[str, Any]:
    """An event's data as clients see it (JSON and SSE alike): a batch row without paths."""
    if event.type == "progress":
        return public_progress(event.data, home)
    return event.data


def links_for(job_id: str) -> JobLinks:
    """Where a job's status and its event stream are read: the 202's ``Location`` and
    ``links``, and every job view's ``links``."""
    return JobLinks(self=f"/api/jobs/{job_id}", events=f"/api/jobs/{job_id}/events")
