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
        self.scores: dict[str, float] = {}
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
            (f"{r.name} ({r.status}, {r.total_rows} rows)", r.id) for r in finished
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
        self.report = report
        summary = _summary(report.summary_csv)
        self.scores = {
            key: float(row["seo_score"]) for key, row in summary.items() if row.get("seo_score")
        }
        self.rows_html.value = table(
            ("row", "topic", "status", "draft", "words", "SEO score", "error"),
            (
                (
                    r.row_key,
                    r.topic,
                    r.status,
                    r.draft_id or "",
                    summary.get(r.row_key, {}).get("word_count") or "",
                    summary.get(r.row_key, {}).get("seo_score") or "",
                    r.error or r.note or "",
                )
                for r in report.rows
            ),
        )
        charts = [_status_chart(report)]
        if self.scores:
            charts.append(_score_chart(self.scores))
        self.charts.outputs = tuple(figure_output(chart) for chart in charts)
        self.show_done(f"{len(report.rows)} rows of run {report.name}")


def _summary(path: str | None) -> dict[str, dict[str, str]]:
    if path is None or not Path(path).exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["row_key"]: row for row in csv.DictReader(handle)}


def _status_chart(report: BatchReport) -> go.Figure:
    """The kernel's chart of rows per status, sized for a panel."""
    from aiwriter_kernel.batch.summary import status_chart

    figure = status_chart(report)
    figure.update_layout(height=320)
    return figure


def _score_chart(scores: dict[str, float]) -> go.Figure:
    import plotly.graph_objects as go

    figure = go.Figure(go.Bar(x=list(scores), y=list(scores.values()), marker_color="#1565c0"))
    figure.update_layout(
        title={"text": "SEO score per article"}, xaxis_title="row", yaxis_title="score (0-100)"
    )
    figure.update_yaxes(range=[0, 100])
    return figure
