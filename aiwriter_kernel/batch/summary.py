"""The files a finished run leaves next to its notebooks: a CSV and an HTML page of charts.

Word counts and SEO scores come from each row's result file, which the notebook wrote;
rows without one (failed, pending) show their status and error only.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from aiwriter_kernel.batch.layout import row_files
from aiwriter_kernel.batch.models import BatchReport
from aiwriter_kernel.batch.notebook_runner import read_result
from aiwriter_kernel.batch.report import SUMMARY_CSV, SUMMARY_HTML
from aiwriter_kernel.redaction import hide_paths
from aiwriter_kernel.text.csv_safe import safe_record
from aiwriter_kernel.text.cut import fit

COLUMNS = (
    "row_key",
    "topic",
    "status",
    "error",
    "note",
    "draft_id",
    "output_path",
    "title",
    "word_count",
    "seo_score",
)
LABEL_CHARS = 28  # a topic under a bar: longer ones are cut at a word
NO_KEYWORD = "no keyword"  # the SEO cell of a written article that had no focus keyword


def write_summary(report: BatchReport) -> tuple[Path, Path]:
    """Write ``summary.csv`` and ``summary.html`` into the run's folder; return their paths."""
    directory = Path(report.output_dir)
    directory.mkdir(parents=True, exist_ok=True)
    table = summary_rows(report)
    csv_path, html_path = directory / SUMMARY_CSV, directory / SUMMARY_HTML
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(safe_record(row) for row in table)
    html_path.write_text(_page(report, table), encoding="utf-8")
    return csv_path, html_path


def summary_rows(report: BatchReport) -> list[dict[str, Any]]:
    """One flat dict per row: the report's fields plus title, words and SEO score."""
    directory = Path(report.output_dir)
    table = []
    for row in report.rows:
        result = read_result(row_files(directory, row.row_key).result) if row.draft_id else {}
        table.append(
            {
                **row.model_dump(mode="json"),
                "error": hide_paths(row.error),
                "note": hide_paths(row.note),
                "output_path": _in_run_folder(row.output_path, directory),
                "title": result.get("title"),
                "word_count": result.get("word_count"),
                "seo_score": result.get("seo_score"),
            }
        )
    return table


def _in_run_folder(path: str | None, directory: Path) -> str | None:
    """``path`` relative to the run's folder (else its file name alone): the summary is a
    file users download and pass around, and an absolute path in it tells its readers how
    the server's disk is laid out."""
    if path is None:
        return None
    try:
        return Path(path).relative_to(directory).as_posix()
    except ValueError:
        return Path(path).name


def _page(report: BatchReport, table: Sequence[dict[str, Any]]) -> str:
    charts = [status_chart(report), *_per_row_charts(table)]
    # The first chart carries plotly.js inline so the page works offline; the others reuse it.
    parts = [
        pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(charts)
    ]
    title = html.escape(f"Batch run {report.name}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>Input: {html.escape(Path(report.input_path).name)}</p>"
        + "".join(parts)
        + _table(table)
        + "</body></html>"
    )


def status_chart(report: BatchReport) -> go.Figure:
    """How many rows ended in each status, as a bar chart (the summary page and the
    notebook's batch results panel draw the same one). Counts are whole: the axis never
    shows 0.5 steps, even for a run of one row."""
    statuses = [s for s, n in report.totals.items() if n]
    counts = [report.totals[s] for s in statuses]
    figure = go.Figure(go.Bar(x=statuses, y=counts))
    figure.update_layout(title="Rows per status", yaxis_title="rows")
    figure.update_yaxes(
        tickformat=",d", rangemode="tozero", dtick=1 if max(counts, default=0) <= 10 else None
    )
    return figure


def topic_labels(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The label of each row under its bar: its topic, cut to fit; a label two rows share
    gets the row key, or plotly would draw both rows as one bar."""
    short = [fit(" ".join(str(row["topic"]).split()), LABEL_CHARS) for row in rows]
    return [
        f"{label} (row {row['row_key']})" if short.count(label) > 1 else label
        for label, row in zip(short, rows, strict=True)
    ]


def seo_cell(row: Mapping[str, Any]) -> str:
    """The SEO score as a table shows it: "no keyword" for a written article without a
    focus keyword (a blank would read as a failure), blank for a row that wrote nothing."""
    if row.get("seo_score") not in (None, ""):
        return str(row["seo_score"])
    return NO_KEYWORD if row.get("draft_id") not in (None, "") else ""


def seo_chart(rows: Sequence[Mapping[str, Any]]) -> go.Figure | None:
    """SEO score per article, labelled by topic; None when no row had a focus keyword."""
    scored = [row for row in rows if row.get("seo_score") not in (None, "")]
    if not scored:
        return None
    scores = [float(row["seo_score"]) for row in scored]
    figure = go.Figure(go.Bar(x=topic_labels(scored), y=scores, marker_color="#1565c0"))
    figure.update_layout(
        title={"text": "SEO score per article"}, xaxis_title="topic", yaxis_title="score (0-100)"
    )
    figure.update_xaxes(type="category")  # a topic such as "2024" is a name, not a number
    figure.update_yaxes(range=[0, 100])
    return figure


def _per_row_charts(table: Sequence[dict[str, Any]]) -> list[go.Figure]:
    measured = [row for row in table if row["word_count"] is not None]
    words = go.Figure(go.Bar(x=topic_labels(measured), y=[row["word_count"] for row in measured]))
    words.update_layout(title="Words per article", xaxis_title="topic", yaxis_title="words")
    words.update_xaxes(type="category")
    words.update_yaxes(tickformat=",d")
    seo = seo_chart(measured)
    return [words] if seo is None else [words, seo]


def _table(table: Sequence[dict[str, Any]]) -> str:
    shown = ("row_key", "topic", "status", "error", "note", "draft_id", "word_count", "seo_score")
    head = "".join(f"<th>{name}</th>" for name in shown)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row, n))}</td>" for n in shown) + "</tr>"
        for row in table
    )
    return f"<table border='1'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(row: Mapping[str, Any], name: str) -> str:
    if name == "seo_score":
        return seo_cell(row)
    return "" if row[name] is None else str(row[name])
