"""Batch runs: many topics through one template, resumable row by row.

Each input row has a stable ``row_key``, so a run interrupted half-way can be resumed by
re-reading its pending and failed rows instead of starting again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aiwriter_kernel.errors import NotFoundError, ValidationError
from aiwriter_kernel.store.records import (
    BatchRowRecord,
    BatchRunRecord,
    NewBatchRow,
    RowStatus,
    RunStatus,
)
from aiwriter_kernel.store.session import Repository
from aiwriter_kernel.store.tables import BatchRow, BatchRun, Draft, Workspace, utcnow

# Which row status may follow which. A crashed worker leaves rows "running": they go back
# to "pending" on resume; "failed" and "skipped" rows may be retried; "done" is final.
ROW_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"running", "skipped", "failed"}),
    "running": frozenset({"done", "failed", "pending"}),
    "failed": frozenset({"pending", "running"}),
    "skipped": frozenset({"pending"}),
    "done": frozenset(),
}
FINISHED_ROW_STATUSES = frozenset({"done", "failed", "skipped"})


class BatchesRepository(Repository):
    """Create runs, record their rows, and move rows through their statuses."""

    def create_run(
        self,
        name: str,
        *,
        input_path: str,
        template: str,
        params: dict[str, Any] | None = None,
        workspace_id: int | None = None,
    ) -> BatchRunRecord:
        """A new run in status "running", with no rows yet (see ``add_rows``)."""
        if not name.strip():
            raise ValidationError("a batch run needs a name")
        with self._session() as session:
            if workspace_id is not None and session.get(Workspace, workspace_id) is None:
                raise NotFoundError(f"workspace {workspace_id} does not exist")
            run = BatchRun(
                name=name,
                input_path=input_path,
                template=template,
                status="running",
                params=dict(params or {}),
                workspace_id=workspace_id,
            )
            session.add(run)
            session.flush()
            return BatchRunRecord.model_validate(run)

    def get_run(self, run_id: int) -> BatchRunRecord | None:
        with self._session() as session:
            run = session.get(BatchRun, run_id)
            return None if run is None else BatchRunRecord.model_validate(run)

    def find_run_by_name(self, name: str, workspace_id: int | None = None) -> BatchRunRecord | None:
        """The latest run with this name in this workspace (None: unfiled), e.g. to resume it."""
        query = (
            select(BatchRun)
            .where(BatchRun.name == name, BatchRun.workspace_id == workspace_id)
            .order_by(BatchRun.id.desc())
            .limit(1)
        )
        with self._session() as session:
            run = session.scalars(query).one_or_none()
            return None if run is None else BatchRunRecord.model_validate(run)

    def list_runs(self, owner_id: int | None = None) -> list[BatchRunRecord]:
        """Batch runs, newest first: every one, or only those filed in ``owner_id``'s
        workspaces (one query, however many runs the home holds)."""
        query = select(BatchRun).order_by(BatchRun.id.desc())
        if owner_id is not None:
            query = query.join(Workspace, BatchRun.workspace_id == Workspace.id).where(
                Workspace.owner_id == owner_id
            )
        with self._session() as session:
            return [BatchRunRecord.model_validate(run) for run in session.scalars(query)]

    def reopen_run(self, run_id: int) -> BatchRunRecord:
        """Mark a finished run running again, for a resume; its rows keep their statuses."""
        with self._session() as session:
            run = _require_run(session, run_id)
            run.status, run.finished_at = "running", None
            session.flush()
            return BatchRunRecord.model_validate(run)

    def add_rows(self, run_id: int, rows: Sequence[NewBatchRow]) -> list[BatchRowRecord]:
        """Add pending rows to the run; ``ValidationError`` if a row key is already used."""
        keys = [row.row_key for row in rows]
        if len(set(keys)) != len(keys):
            raise ValidationError(f"batch run {run_id}: row keys must be unique")
        try:
            with self._session() as session:
                run = _require_run(session, run_id)
                added = [
                    BatchRow(run_id=run_id, status="pending", **row.model_dump()) for row in rows
                ]
                session.add_all(added)
                run.total_rows += len(added)
                session.flush()
                return [BatchRowRecord.model_validate(row) for row in added]
        except IntegrityError:
            raise ValidationError(
                f"batch run {run_id} already has a row with one of these keys; nothing was added"
            ) from None

    def set_row_status(
        self,
        row_id: int,
        status: RowStatus,
        *,
        error: str | None = None,
        output_path: str | None = None,
        draft_id: int | None = None,
    ) -> BatchRowRecord:
        """Move a row to ``status`` (see ``ROW_TRANSITIONS``), recording when and what came out."""
        if status not in get_args(RowStatus):
            raise ValidationError(f"unknown batch row status {status!r}")
        with self._session() as session:
            row = session.get(BatchRow, row_id)
            if row is None:
                raise NotFoundError(f"batch row {row_id} does not exist")
            if status not in ROW_TRANSITIONS[row.status]:
                raise ValidationError(
                    f"batch row {row.row_key!r} is {row.status}; it cannot become {status}"
                )
            if draft_id is not None and session.get(Draft, draft_id) is None:
                raise NotFoundError(f"draft {draft_id} does not exist")
            _apply_status(row, status, error=error, output_path=output_path, draft_id=draft_id)
            session.flush()
            return BatchRowRecord.model_validate(row)

    def list_rows(self, run_id: int, status: RowStatus | None = None) -> list[BatchRowRecord]:
        """The run's rows in input order, optionally only those in ``status``."""
        query = select(BatchRow).where(BatchRow.run_id == run_id).order_by(BatchRow.id)
        if status is not None:
            query = query.where(BatchRow.status == status)
        with self._session() as session:
            return [BatchRowRecord.model_validate(row) for row in session.scalars(query)]

    def finish_run(self, run_id: int, status: RunStatus) -> BatchRunRecord:
        """Mark the run done, failed or cancelled, and when."""
        if status not in get_args(RunStatus) or status == "running":
            raise ValidationError(f"a batch run cannot finish as {status!r}")
        with self._session() as session:
            run = _require_run(session, run_id)
            run.status = status
            run.finished_at = utcnow()
            session.flush()
            return BatchRunRecord.model_validate(run)


def _require_run(session: Session, run_id: int) -> BatchRun:
    run = session.get(BatchRun, run_id)
    if run is None:
        raise NotFoundError(f"batch run {run_id} does not exist")
    return run


def _apply_status(
    row: BatchRow,
    status: str,
    *,
    error: str | None,
    output_path: str | None,
    draft_id: int | None,
) -> None:
    if status == "failed" and not error:
        raise ValidationError(f"batch row {row.row_key!r}: say why it failed (error=...)")
    row.status = status
    row.error = error if status == "failed" else None
    if status == "running":
        row.started_at, row.finished_at = utcnow(), None
    elif status in FINISHED_ROW_STATUSES:
        row.finished_at = utcnow()
    else:  # back to pending
        row.started_at = row.finished_at = None
    if output_path is not None:
        row.output_path = output_path
    if draft_id is not None:
        row.draft_id = draft_id
