"""A run's report, read from the store: what the Batch monitor polls and the CLI prints."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from aiwriter_kernel.batch.layout import run_dir
from aiwriter_kernel.batch.models import BatchReport, ReportRow
from aiwriter_kernel.errors import NotFoundError
from aiwriter_kernel.store.records import BatchRowRecord, RowStatus

if TYPE_CHECKING:
    from aiwriter_kernel.batch.scope import BatchScope

SUMMARY_CSV = "summary.csv"
SUMMARY_HTML = "summary.html"
EARLIER_RUN_NOTE = "finished by an earlier run"


def build_report(
    scope: BatchScope,
    run_id: int,
    *,
    skipped: set[str] = frozenset(),
    notes: dict[str, str] | None = None,
) -> BatchReport:
    """The run as stored; keys in ``skipped`` (done before this run) are shown as skipped."""
    run = scope.batches.get_run(run_id)
    if run is None or not scope.visible(run):
        raise NotFoundError(f"batch run {run_id} does not exist")
    notes = dict(notes or {})
    for key in skipped:
        notes.setdefault(key, EARLIER_RUN_NOTE)
    rows = [
        _report_row(row, row.row_key in skipped, notes.get(row.row_key))
        for row in scope.batches.list_rows(run_id)
    ]
    counts = Counter(row.status for row in rows)
    directory = run_dir(scope.settings.home, run.name, run.workspace_id)
    return BatchReport(
        run_id=run.id,
        name=run.name,
        status=run.status,
        input_path=run.input_path,
        template=run.template,
        output_dir=str(directory),
        rows=rows,
        totals={status: counts.get(status, 0) for status in get_args(RowStatus)},
        summary_csv=_existing(directory / SUMMARY_CSV),
        summary_html=_existing(directory / SUMMARY_HTML),
    )


def _report_row(row: BatchRowRecord, skipped: bool, note: str | None) -> ReportRow:
    return ReportRow(
        row_key=row.row_key,
        topic=row.topic,
        status="skipped" if skipped else row.status,
        error=row.error,
        note=note,
        draft_id=row.draft_id,
        output_path=row.output_path,
    )


def _existing(path: Path) -> str | None:
    return str(path) if path.exists() else None
