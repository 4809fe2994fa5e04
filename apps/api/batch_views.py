"""Batch runs as an API client sees them: ids, names, statuses, counts and rows, without the
server's paths.

The kernel's ``BatchRunRecord`` and ``BatchReport`` name the input CSV, the notebook template,
the output folder, the summary files and each row's output on the server's disk. A client has
no use for them (it downloads the summary at ``/api/batch/runs/{id}/summary.csv``) and they
reveal how the server is laid out, so these views keep only the file's own name.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from aiwriter_kernel.batch.models import BatchReport, ReportRow
from aiwriter_kernel.records import BatchRunRecord, RowStatus
from aiwriter_kernel.redaction import hide_paths


def file_name(path: str) -> str:
    """The input file's own name (an upload's is the client's name, made safe)."""
    return Path(path).name


class BatchRunView(BaseModel):
    """A batch run as listed."""

    id: int
    name: str
    status: str
    file_name: str = Field(description="The topics CSV's name (no server path).")
    total_rows: int
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, run: BatchRunRecord) -> BatchRunView:
        return cls(
            id=run.id,
            name=run.name,
            status=run.status,
            file_name=file_name(run.input_path),
            total_rows=run.total_rows,
            created_at=run.created_at,
            finished_at=run.finished_at,
        )


class BatchRowView(BaseModel):
    """One row of a run: its topic, where it stands, its draft or why it failed."""

    row_key: str
    topic: str
    status: RowStatus
    error: str | None = None
    note: str | None = None
    draft_id: int | None = None

    @classmethod
    def of(cls, row: ReportRow, home: Path | str) -> BatchRowView:
        return cls(
            row_key=row.row_key,
            topic=row.topic,
            status=row.status,
            error=hide_paths(row.error, home),
            note=hide_paths(row.note, home),
            draft_id=row.draft_id,
        )


class BatchReportView(BaseModel):
    """A run's rows and totals per status; the summary CSV is at its own route."""

    run_id: int
    name: str
    status: str
    file_name: str = Field(description="The topics CSV's name (no server path).")
    rows: list[BatchRowView]
    totals: dict[str, int]
    has_summary: bool = Field(description="Whether summary.csv can be downloaded yet.")

    @classmethod
    def of(cls, report: BatchReport, home: Path | str) -> BatchReportView:
        return cls(
            run_id=report.run_id,
            name=report.name,
            status=report.status,
            file_name=file_name(report.input_path),
            rows=[BatchRowView.of(row, home) for row in report.rows],
            totals=report.totals,
            has_summary=report.summary_csv is not None and Path(report.summary_csv).is_file(),
        )


def public_batch_request(request: dict[str, Any]) -> dict[str, Any]:
    """A stored batch job request without its server path: the CSV's name instead."""
    shown = {key: value for key, value in request.items() if key != "csv_path"}
    if "csv_path" in request:
        shown["file_name"] = file_name(str(request["csv_path"]))
    return shown


def public_batch_result(result: dict[str, Any], home: Path | str) -> dict[str, Any]:
    """A finished batch job's stored ``BatchReport`` as a ``BatchReportView``."""
    report = BatchReport.model_validate(result)
    return BatchReportView.of(report, home).model_dump(mode="json")


def public_progress(data: dict[str, Any], home: Path | str) -> dict[str, Any]:
    """A batch "progress" event's data with its row as a ``BatchRowView``."""
    if not isinstance(data.get("row"), dict):
        return data
    row = ReportRow.model_validate(data["row"])
    return {**data, "row": BatchRowView.of(row, home).model_dump(mode="json")}
