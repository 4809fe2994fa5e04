"""Routes: batch. Upload a topics CSV (multipart) to run it as a batch job; read your runs,
their reports and summary CSVs. Uploads are kept in the caller's own folder of the home."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from aiwriter_apps.api.auth import UserWorkbench
from aiwriter_apps.api.batch_views import BatchReportView, BatchRunView
from aiwriter_apps.api.job_schemas import JobAccepted
from aiwriter_apps.api.routes.jobs import accepted
from aiwriter_apps.api.schemas import ErrorDetail, PathId
from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from aiwriter_kernel.jobs.kinds import MAX_BATCH_WORKERS

router = APIRouter(tags=["batch"])
NO_SUCH_RUN: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDetail, "description": "No such batch run of yours (or no summary yet)."}
}
UNUSABLE_UPLOAD: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorDetail, "description": "The upload is not a usable topics CSV, and why."}
}


@router.post("/batch", status_code=202, response_model=JobAccepted, responses=UNUSABLE_UPLOAD)
async def submit_batch(
    file: Annotated[UploadFile, File(description="A topics CSV with a 'topic' column.")],
    wb: UserWorkbench,
    request: Request,
    response: Response,
    name: Annotated[str | None, Form(max_length=200)] = None,
    workers: Annotated[int, Form(ge=1, le=MAX_BATCH_WORKERS)] = 1,
) -> JobAccepted:
    """Queue a batch run over the uploaded CSV: one article per row (a job of kind batch,
    whose events report each finished row)."""
    data = await file.read()
    job = await run_in_threadpool(
        wb.submit_batch, data, file.filename or "topics.csv", name=name, workers=workers
    )
    return accepted(job, request, response)


@router.get("/batch/runs", response_model=list[BatchRunView])
def list_runs(wb: UserWorkbench) -> list[BatchRunView]:
    """Your batch runs, newest first."""
    return [BatchRunView.of(run) for run in wb.batch_runs()]


@router.get("/batch/runs/{run_id}", response_model=BatchReportView, responses=NO_SUCH_RUN)
def get_run(run_id: PathId, wb: UserWorkbench) -> BatchReportView:
    """A run's rows and totals as stored now."""
    return BatchReportView.of(wb.batch_report(run_id), wb.settings.home)


@router.get(
    "/batch/runs/{run_id}/summary.csv",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}}, **NO_SUCH_RUN},
)
def get_summary(run_id: PathId, wb: UserWorkbench) -> FileResponse:
    """The run's summary table as CSV (written when the run last finished)."""
    report = wb.batch_report(run_id)
    if report.summary_csv is None or not Path(report.summary_csv).is_file():
        raise HTTPException(404, detail=f"batch run {run_id} has no summary yet")
    return FileResponse(
        report.summary_csv, media_type="text/csv", filename=f"{report.name}-summary.csv"
    )
