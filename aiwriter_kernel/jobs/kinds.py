"""The kinds of job: each name maps to its request model and the Workbench method it runs.

A request is validated against its kind's model before it is stored, so a queued job
always holds a request its worker can run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from aiwriter_kernel.errors import ValidationError
from aiwriter_kernel.pipelines.answer import QuestionRequest
from aiwriter_kernel.pipelines.article_models import ArticleRequest
from aiwriter_kernel.pipelines.calendar import CalendarRequest
from aiwriter_kernel.pipelines.copywriting import CopyRequest
from aiwriter_kernel.pipelines.fact_check import FactCheckRequest
from aiwriter_kernel.pipelines.rewrite import RewriteRequest
from aiwriter_kernel.pipelines.seo_metadata import SeoMetadataRequest
from aiwriter_kernel.pipelines.summary import SummaryRequest

if TYPE_CHECKING:
    from aiwriter_kernel.jobs.reporter import JobReporter
    from aiwriter_kernel.pipelines.events import OnEvent

MAX_BATCH_WORKERS = 4


class BatchJobRequest(BaseModel):
    """A batch over a CSV already stored on the server (API uploads go to the user's folder;
    a client never names a path)."""

    model_config = ConfigDict(frozen=True)

    csv_path: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=200)
    workers: int = Field(default=1, ge=1, le=MAX_BATCH_WORKERS)
    limit: int | None = Field(default=None, ge=0)


class JobHost(Protocol):
    """What a job runs on: the Workbench (the worker hands it over), as far as the kinds
    below call it by name. Typed here so the kinds need not import the facade: it imports
    them, and an import back would close a circle."""

    def outline(self, request: ArticleRequest, *, on_event: OnEvent) -> tuple[int, Any]: ...

    def draft(self, draft_id: int, *, on_event: OnEvent) -> BaseModel: ...

    def batch(self, csv_path: Path, **options: Any) -> BaseModel: ...


Runner = Callable[[JobHost, Any, "JobReporter"], BaseModel]


@dataclass(frozen=True)
class JobKind:
    name: str
    request_model: type[BaseModel]
    run: Runner
    public: bool = True  # offered by POST /api/jobs (batch jobs come from an upload)


def _article(wb: JobHost, request: ArticleRequest, reporter: JobReporter) -> BaseModel:
    """Outline, then draft. The outline's draft id is kept as a checkpoint, so an attempt
    after an interruption finishes that draft instead of starting a second one."""
    draft_id = reporter.checkpoint("draft_id")
    if draft_id is None:
        draft_id, _ = wb.outline(request, on_event=reporter.on_event)
        reporter.save_checkpoint(draft_id=draft_id)
    return wb.draft(int(draft_id), on_event=reporter.on_event)


def _batch(wb: JobHost, request: BatchJobRequest, reporter: JobReporter) -> BaseModel:
    return wb.batch(
        Path(request.csv_path),
        name=request.name,
        workers=request.workers,
        limit=request.limit,
        on_progress=reporter.on_progress,
    )


def _method(name: str) -> Runner:
    def run(wb: JobHost, request: Any, reporter: JobReporter) -> BaseModel:
        return getattr(wb, name)(request, on_event=reporter.on_event)

    run.__name__ = name
    return run


KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        JobKind("article", ArticleRequest, _article),
        JobKind("rewrite", RewriteRequest, _method("rewrite")),
        JobKind("seo-metadata", SeoMetadataRequest, _method("seo_metadata")),
        JobKind("summary", SummaryRequest, _method("summarize")),
        JobKind("answer", QuestionRequest, _method("ask")),
        JobKind("copy", CopyRequest, _method("copy")),
        JobKind("fact-check", FactCheckRequest, _method("fact_check")),
        JobKind("calendar", CalendarRequest, _method("calendar")),
        JobKind("batch", BatchJobRequest, _batch, public=False),
    )
}


def job_kind(name: str) -> JobKind:
    """The kind ``name``; a ``ValidationError`` listing the known kinds otherwise."""
    kind = KINDS.get(name)
    if kind is None:
        known = ", ".join(sorted(KINDS))
        raise ValidationError(f"unknown job kind {name!r}: use one of {known}")
    return kind


def validated_request(kind: JobKind, request: BaseModel | dict[str, Any]) -> BaseModel:
    """``request`` as the kind's model; a one-line ``ValidationError`` naming the field."""
    if isinstance(request, kind.request_model):
        return request
    data = request.model_dump() if isinstance(request, BaseModel) else request
    try:
        return kind.request_model.model_validate(data)
    except PydanticValidationError as error:
        name = kind.request_model.__name__
        raise ValidationError.from_pydantic(error, name, prefix="request.") from None
