"""The typed data of a batch run: what a worker is asked, what it answers, what is reported.

``RowTask`` and ``RowOutcome`` cross process (and Dask) boundaries as plain dicts made by
``model_dump``, so the row function stays picklable and independent of the runner.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aiwriter_kernel.store.records import RowStatus


class RowTask(BaseModel):
    """Everything a worker needs to execute one row's notebook."""

    model_config = ConfigDict(frozen=True)

    run_name: str
    row_key: str
    topic: str
    params: dict[str, Any] = Field(default_factory=dict)
    home: str
    template: str
    notebook_path: str
    markdown_path: str
    analysis_path: str
    result_path: str
    draft_id: int | None = None  # set when resuming a row whose draft already exists
    owner_id: int | None = None  # the user whose run this is (None: the home's operator)
    env: dict[str, str] = Field(default_factory=dict)  # for the kernel: database URL etc.
    cell_timeout: int = 1800


class RowOutcome(BaseModel):
    """What a worker reports back for one row."""

    model_config = ConfigDict(frozen=True)

    row_key: str
    status: Literal["done", "failed"]
    error: str | None = None
    draft_id: int | None = None
    notebook_path: str
    seconds: float


class ReportRow(BaseModel):
    """One row as the report shows it."""

    model_config = ConfigDict(frozen=True)

    row_key: str
    topic: str
    status: RowStatus
    error: str | None = None
    note: str | None = None
    draft_id: int | None = None
    output_path: str | None = None


class BatchReport(BaseModel):
    """A run's state: every row, the totals per status, and where its summary files are."""

    model_config = ConfigDict(frozen=True)

    run_id: int
    name: str
    status: str
    input_path: str
    template: str
    output_dir: str
    rows: list[ReportRow]
    totals: dict[str, int]
    summary_csv: str | None = None
    summary_html: str | None = None


class BatchProgress(BaseModel):
    """Sent to ``on_progress`` each time a row finishes."""

    model_config = ConfigDict(frozen=True)

    row: ReportRow
    finished: int
    total: int
