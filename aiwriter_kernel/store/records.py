"""What repositories take and return: frozen pydantic models, never ORM objects.

Records are plain values: safe to pass across threads, serialise to JSON for the API,
and keep after the database is closed. Times in them are always aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from aiwriter_kernel.store.tables import HASH_LENGTH, as_utc

UTCDatetime = Annotated[datetime, AfterValidator(as_utc)]
RowStatus = Literal["pending", "running", "done", "failed", "skipped"]
RunStatus = Literal["running", "done", "failed", "cancelled"]
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JOB_TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class Record(BaseModel):
    """Base of the records read from the database."""

    model_config = ConfigDict(from_attributes=True, frozen=True)


class UserRecord(Record):
    id: int
    name: str
    created_at: UTCDatetime
    disabled: bool


class ApiKeyRecord(Record):
    """An API key as it may be shown: its prefix, never its hash or the key itself."""

    id: int
    user_id: int
    prefix: str
    name: str | None
    created_at: UTCDatetime
    expires_at: UTCDatetime | None
    revoked_at: UTCDatetime | None
    last_used_at: UTCDatetime | None


class WorkspaceRecord(Record):
    id: int
    name: str
    owner_id: int | None
    created_at: UTCDatetime


class SourceRecord(Record):
    """A source without its full text (``SourcesRepository.get_source_text`` reads that)."""

    id: int
    workspace_id: int
    title: str
    origin: str
    content_hash: str
    mime_type: str
    size_bytes: int
    tags: list[str]
    added_at: UTCDatetime
    updated_at: UTCDatetime
    vectors_pending: bool = False  # rows stored, vectors not yet: not fully searchable


class ChunkRecord(Record):
    id: str
    source_id: int
    ordinal: int
    text: str
    start_offset: int
    end_offset: int


class DraftRecord(Record):
    id: int
    workspace_id: int
    kind: str
    title: str
    topic: str
    created_at: UTCDatetime
    updated_at: UTCDatetime


class DraftVersionRecord(Record):
    id: int
    draft_id: int
    version: int
    stage: str
    content: str
    meta: dict[str, Any]
    created_at: UTCDatetime


class PersonaRecord(Record):
    id: int
    workspace_id: int
    name: str
    spec: dict[str, Any]
    created_at: UTCDatetime
    updated_at: UTCDatetime


class GenerationRecord(Record):
    id: int
    created_at: UTCDatetime
    provider: str
    model: str
    template: str | None
    template_version: str | None
    input_hash: str
    output: str | None
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float | None
    cost_usd: float | None
    cache_hit: bool
    error: str | None
    workspace_id: int | None
    draft_id: int | None


class UsageRow(Record):
    """Model usage of one provider on one UTC day."""

    provider: str
    day: str  # ISO date, e.g. "2025-01-31"
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cache_hits: int
    errors: int


class BatchRunRecord(Record):
    id: int
    name: str
    input_path: str
    template: str
    status: str
    params: dict[str, Any]
    total_rows: int
    created_at: UTCDatetime
    finished_at: UTCDatetime | None
    workspace_id: int | None


class BatchRowRecord(Record):
    id: int
    run_id: int
    row_key: str
    topic: str
    params: dict[str, Any]
    status: RowStatus
    error: str | None
    output_path: str | None
    draft_id: int | None
    started_at: UTCDatetime | None
    finished_at: UTCDatetime | None


class JobRecord(Record):
    """A job as stored: its request, where it stands and (when finished) its outcome."""

    id: str
    owner_id: int | None
    kind: str
    status: JobStatus
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: UTCDatetime
    started_at: UTCDatetime | None
    finished_at: UTCDatetime | None
    heartbeat_at: UTCDatetime | None
    worker: str | None

    @property
    def finished(self) -> bool:
        return self.status in JOB_TERMINAL


class JobEventRecord(Record):
    """One step of a job: ``type`` is "stage", "text", "progress", "checkpoint" or "status"."""

    id: int
    job_id: str
    seq: int
    type: str
    data: dict[str, Any]
    created_at: UTCDatetime


class NewChunk(BaseModel):
    """A chunk to store; ``id`` is chosen by the caller because the vector store shares it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=HASH_LENGTH)
    ordinal: int = Field(ge=0)
    text: str
    start_offset: int = Field(ge=0)
    end_offset: int = Field(ge=0)

    @model_validator(mode="after")
    def _offsets_in_order(self) -> NewChunk:
        if self.end_offset < self.start_offset:
            raise ValueError("end_offset must not be before start_offset")
        return self


class NewSource(BaseModel):
    """A source to store with its chunks: what ``SourcesRepository.upsert_sources`` takes.

    ``vectors_pending`` marks a source whose vectors are written after its rows are
    committed (a new source: the vectors need its id), until ``mark_vectors_stored``.
    """

    model_config = ConfigDict(frozen=True)

    title: str
    origin: str
    content_hash: str
    mime_type: str
    size_bytes: int
    text: str
    tags: tuple[str, ...] = ()
    chunks: tuple[NewChunk, ...] = ()
    vectors_pending: bool = False


class NewGeneration(BaseModel):
    """One model call to log. Holds the prompt's hash, never the prompt or any key."""

    model_config = ConfigDict(frozen=True)

    provider: str = Field(min_length=1)
    model: str = Field(min_length=1)
    input_hash: str = Field(min_length=1, max_length=HASH_LENGTH)
    template: str | None = None
    template_version: str | None = None
    output: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = Field(default=None, ge=0)
    completion_tokens: int | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)
    cost_usd: float | None = Field(default=None, ge=0)
    cache_hit: bool = False
    error: str | None = None
    workspace_id: int | None = None
    draft_id: int | None = None


class NewBatchRow(BaseModel):
    """One input row of a batch run; ``row_key`` identifies it across resumes."""

    model_config = ConfigDict(frozen=True)

    row_key: str = Field(min_length=1, max_length=200)
    topic: str
    params: dict[str, Any] = Field(default_factory=dict)
