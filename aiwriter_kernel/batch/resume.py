"""Deciding, on (re)start, what each row still needs, so no row produces a second draft.

A run can be killed at any moment. The notebook writes the row's result file atomically
as soon as its draft exists, so on resume:

* a result file saying "done" is adopted: the row is marked done without running again;
* a result file naming a draft that is not finished is passed back to the notebook, which
  finishes that draft instead of creating a new one;
* a row that was running with no result file at all may have been killed in the instant
  between storing its draft and writing the file: a draft on the same topic created after
  the row started, and claimed by no other row, is resumed instead of writing another.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.batch.layout import row_files
from aiwriter_kernel.batch.notebook_runner import read_result
from aiwriter_kernel.store.records import BatchRowRecord, DraftRecord

if TYPE_CHECKING:
    from aiwriter_kernel.batch.scope import BatchScope


class RowPlan(BaseModel):
    """A row to execute, with the draft to finish when an earlier run already created it."""

    model_config = ConfigDict(frozen=True)

    row: BatchRowRecord
    draft_id: int | None = None


class Adoption(BaseModel):
    """A row an interrupted run finished without recording it: take its result as is."""

    model_config = ConfigDict(frozen=True)

    row: BatchRowRecord
    draft_id: int
    output_path: str


class ResumePlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    to_run: list[RowPlan]
    adopted: list[Adoption]


def plan_resume(
    scope: BatchScope, rows: list[BatchRowRecord], directory: Path, input_errors: set[str]
) -> ResumePlan:
    """Put interrupted rows back to pending and say, row by row, what is left to do."""
    repo = scope.batches
    interrupted = {r.row_key: r.started_at for r in rows if r.status == "running"}
    for row in rows:
        if row.status == "running":
            repo.set_row_status(row.id, "pending")
    claimed = {r.draft_id for r in rows if r.draft_id is not None}
    workspace_drafts: list[DraftRecord] | None = None
    to_run: list[RowPlan] = []
    adopted: list[Adoption] = []
    for row in rows:
        if row.status in ("done", "skipped") or row.row_key in input_errors:
            continue
        files = row_files(directory, row.row_key)
        result = read_result(files.result)
        draft_id = result.get("draft_id")
        if not (isinstance(draft_id, int) and scope.drafts.get_draft(draft_id) is not None):
            draft_id = None
        if draft_id is not None and result.get("state") == "done":
            output = files.notebook if files.notebook.exists() else files.markdown
            adopted.append(Adoption(row=row, draft_id=draft_id, output_path=str(output)))
        elif draft_id is None and row.row_key in interrupted:
            if workspace_drafts is None:
                workspace_drafts = scope.default_drafts()
            draft_id = _orphan(workspace_drafts, row, interrupted[row.row_key], claimed)
        if draft_id is not None:
            claimed.add(draft_id)
        if draft_id is None or result.get("state") != "done":
            to_run.append(RowPlan(row=row, draft_id=draft_id))
    return ResumePlan(to_run=to_run, adopted=adopted)


def _orphan(
    drafts: list[DraftRecord], row: BatchRowRecord, started_at: datetime | None, claimed: set[int]
) -> int | None:
    """The oldest unclaimed draft on the row's topic created after the row started.

    Both times come from ``utcnow`` on machines sharing the home; Dask workers on other
    hosts need synchronised clocks for this last-resort match.
    """
    if started_at is None:
        return None
    found = [
        d
        for d in drafts
        if d.topic == row.topic and d.created_at >= started_at and d.id not in claimed
    ]
    return min(found, key=lambda d: (d.created_at, d.id)).id if found else None
