"""Routes: jobs. Long work is submitted (202), polled, streamed as server-sent events and
cancelled; everything is read from the database, so any API worker can answer.

Cancelling a queued job cancels it at once; a running job is marked cancelled at once too
and its worker stops at its next progress event (what it stored so far, e.g. an outline,
stays). Cancelling a finished job is a 409.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from aiwriter_apps.api.auth import UserWorkbench
from aiwriter_apps.api.job_schemas import (
    JobAccepted,
    JobEventView,
    JobSubmission,
    JobView,
    links_for,
)
from aiwriter_apps.api.schemas import ErrorDetail, json_error
from aiwriter_apps.api.streams import JobStreams, StreamSlot, job_event_stream, job_streams
from fastapi import APIRouter, Body, Depends, Header, HTTPException, Query, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from aiwriter_kernel.records import JobRecord, JobStatus

router = APIRouter(tags=["jobs"])

NO_SUCH_JOB: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No such job of yours."}
}
CANCEL_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NO_SUCH_JOB,
    409: {"model": ErrorDetail, "description": "The job has already finished."},
}


def owned_job(job_id: str, wb: UserWorkbench) -> JobRecord:
    """The caller's job ``job_id``; 404 for a missing one and for another user's alike."""
    return wb.job(job_id)


OwnedJob = Annotated[JobRecord, Depends(owned_job)]


def wake_dispatcher(request: Request) -> None:
    dispatcher = getattr(request.app.state, "jobs", None)
    if dispatcher is not None:
        dispatcher.wake()


def accepted(job: JobRecord, request: Request, response: Response) -> JobAccepted:
    """The 202 answer to any submission (a job or a batch upload): wake this worker's
    dispatcher so the job starts at once, and point ``Location`` at the job's status."""
    wake_dispatcher(request)
    links = links_for(job.id)
    response.headers["Location"] = links.self
    return JobAccepted(id=job.id, status=job.status, kind=job.kind, links=links)


SUBMIT_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": (
            "The request is invalid, or names a provider or model this server does not "
            "serve; `detail` says which field and why."
        )
    },
}


@router.post("/jobs", status_code=202, response_model=JobAccepted, responses=SUBMIT_ERRORS)
def submit_job(
    submission: Annotated[JobSubmission, Body()],
    wb: UserWorkbench,
    request: Request,
    response: Response,
) -> JobAccepted:
    """Queue a pipeline run; follow it at ``links.self`` or stream ``links.events``."""
    job = wb.submit_job(submission.kind, submission.request)
    return accepted(job, request, response)


@router.get("/jobs", response_model=list[JobView])
def list_jobs(wb: UserWorkbench, status: JobStatus | None = None) -> list[JobView]:
    """Your jobs, newest first (optionally only those with ``status``)."""
    return [JobView.of(job, wb.settings.home) for job in wb.jobs(status)]


@router.get("/jobs/{job_id}", response_model=JobView, responses=NO_SUCH_JOB)
def get_job(job: OwnedJob, wb: UserWorkbench) -> JobView:
    """Where the job stands; once finished, its result or error."""
    return JobView.of(job, wb.settings.home)


@router.get("/jobs/{job_id}/events/list", response_model=list[JobEventView], responses=NO_SUCH_JOB)
def list_job_events(
    job: OwnedJob, wb: UserWorkbench, after: Annotated[int, Query(ge=0)] = 0
) -> list[JobEventView]:
    """The job's events after ``after`` as one JSON list (for clients without SSE)."""
    return [JobEventView.of(event, wb.settings.home) for event in wb.job_events(job.id, after)]


STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: json_error("No such job of yours."),
    429: json_error(
        "Over the key's rate limit, or the user already holds all their event streams; "
        "see Retry-After."
    ),
}


@router.get("/jobs/{job_id}/events", response_class=EventSourceResponse, responses=STREAM_RESPONSES)
async def stream_job_events(
    job: OwnedJob,
    wb: UserWorkbench,
    _slot: StreamSlot,
    streams: Annotated[JobStreams, Depends(job_streams)],
    after: Annotated[int, Query(ge=0, description="Send only events after this seq.")] = 0,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: ``id`` is the event's seq, ``event`` its type ("status", "stage",
    "text", "progress", "checkpoint"), ``data`` its JSON. The stream ends after the
    job's final status; reconnecting with ``Last-Event-ID`` resumes after that event. A
    stream also ends at the server's time limit, with a ``retry:`` hint and no final
    status: reconnect with ``Last-Event-ID`` to go on. A user may hold a few streams at
    once (429 beyond); see ``apps/api/streams.py``."""
    seen = max(after, _event_id(last_event_id))
    async for event in job_event_stream(wb, job.id, seen, streams):
        yield event


@router.post("/jobs/{job_id}/cancel", response_model=JobView, responses=CANCEL_RESPONSES)
def cancel_job(job: OwnedJob, wb: UserWorkbench) -> JobView:
    """Cancel a queued or running job (see the module notes); 409 when it has finished."""
    if job.finished:
        raise HTTPException(409, detail=f"job {job.id} has already finished ({job.status})")
    cancelled = wb.cancel_job(job.id)
    if cancelled.status != "cancelled":
        raise HTTPException(409, detail=f"job {job.id} finished ({cancelled.status}) first")
    return JobView.of(cancelled, wb.settings.home)


def _event_id(value: str | None) -> int:
    """The seq in a ``Last-Event-ID`` header; 0 when absent or not a number."""
    if value is None or not value.strip().isdigit():
        return 0
    return int(value.strip())
