"""Batch results: a finished run's rows as a table, with charts of the statuses and the SEO
score of each article. Scores come from the run's ``summary.csv``, which the batch writes
from what each row's notebook measured; a run without one shows statuses only."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from aiwriter_widgets.panel import Panel
from aiwriter_widgets.render import figure_output, table

from aiwriter_kernel.text.counts import counted

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from aiwriter_kernel.batch.models import BatchReport
    from aiwriter_kernel.workbench import Workbench


class BatchResultsPanel(Panel):
    """Pick a finished run; its rows and charts are shown at once."""

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        self.runs = w.Dropdown(description="Run", layout=w.Layout(width="60%"))
        self.runs.add_class("aiw-results-run")
        self.report: BatchReport | None = None
        self.summary: list[dict[str, str]] = []  # the rows of the run's summary.csv
        self.rows_html = w.HTML()
        self.rows_html.add_class("aiw-results-rows")
        self.charts = w.Output()
        self.charts.add_class("aiw-results-charts")
        self.children = (self.runs, self.status, self.rows_html, self.charts)
        self._guarded(self.refresh_runs)
        self.runs.observe(lambda _: self._guarded(self.load), names="value")
        self._guarded(self.load)

    def refresh_runs(self) -> None:
        finished = [r for r in self.wb.batch_runs() if r.status != "running"]
        self.runs.options = [
            (f"{r.name} ({r.status}, {counted(r.total_rows, 'row')})", r.id) for r in finished
        ]
        self.runs.value = finished[0].id if finished else None  # the newest run
        if not finished:
            self.show_error("no finished batch run yet: run `aiwriter batch topics.csv` first")

    def load(self) -> None:
        if self.runs.value is None:
            return
        run_id = self.runs.value
        self.run(f"loading run {run_id}", lambda: self.wb.batch_report(run_id), self._show)

    def _show(self, report: BatchReport) -> None:
        from aiwriter_kernel.batch.summary import seo_cell

        self.report = report
        self.summary = _summary(report.summary_csv)
        summary = {row["row_key"]: row for row in self.summary}
        self.rows_html.value = table(
            ("row", "topic", "status", "draft", "words", "SEO score", "error"),
            (
                (
                    r.row_key,
                    r.topic,
                    r.status,
                    r.draft_id or "",
                    summary.get(r.row_key, {}).get("word_count") or "",
                    seo_cell(summary.get(r.row_key, {})),
                    r.error or r.note or "",
                )
                for r in report.rows
            ),
        )
        charts = [_status_chart(report), _score_chart(self.summary)]
        self.charts.outputs = tuple(figure_output(chart) for chart in charts if chart is not None)
        self.show_done(f"{counted(len(report.rows), 'row')} of run {report.name}")


def _summary(path: str | None) -> list[dict[str, str]]:
    if path is None or not Path(path).exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _status_chart(report: BatchReport) -> go.Figure:
    """The kernel's chart of rows per status, sized for a panel."""
    from aiwriter_kernel.batch.summary import status_chart

    figure = status_chart(report)
    figure.update_layout(height=320)
    return figure


def _score_chart(summary: list[dict[str, str]]) -> go.Figure | None:
    """The kernel's SEO chart (bars labelled by topic), sized for a panel; None when no
    article had a focus keyword."""
    from aiwriter_kernel.batch.summary import seo_chart

    figure = seo_chart(summary)
    if figure is not None:
        figure.update_layout(height=320)
    return figure
