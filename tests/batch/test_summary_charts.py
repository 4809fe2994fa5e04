"""The batch charts read as a person expects: bars named by topic, whole counts, and an
SEO cell that says why it is empty (issue 17)."""

from __future__ import annotations

from aiwriter_kernel.batch.models import BatchReport
from aiwriter_kernel.batch.summary import (
    NO_KEYWORD,
    seo_cell,
    seo_chart,
    status_chart,
    topic_labels,
)


def _report(totals: dict[str, int]) -> BatchReport:
    return BatchReport(
        run_id=1, name="probe", status="finished", input_path="topics.csv",
        template="t.ipynb", output_dir="out", rows=[], totals=totals,
    )  # fmt: skip


def test_a_one_row_run_counts_in_whole_rows() -> None:
    layout = status_chart(_report({"done": 1, "failed": 0})).layout
    assert layout.yaxis.dtick == 1 and layout.yaxis.tickformat == ",d"
    assert status_chart(_report({"done": 40})).layout.yaxis.dtick is None  # plotly's steps


def test_bars_are_labelled_by_topic_cut_to_fit() -> None:
    rows = [
        {"row_key": "2", "topic": "Cold brew"},
        {"row_key": "3", "topic": "How to store freshly roasted coffee beans at home"},
    ]
    labels = topic_labels(rows)
    assert labels[0] == "Cold brew"
    assert labels[1].startswith("How to store") and labels[1].endswith("…")
    assert len(labels[1]) <= 28


def test_two_rows_on_one_topic_keep_two_bars() -> None:
    rows = [{"row_key": "2", "topic": "Tea"}, {"row_key": "5", "topic": "Tea"}]
    assert topic_labels(rows) == ["Tea (row 2)", "Tea (row 5)"]


def test_the_seo_chart_names_topics_and_skips_rows_without_a_keyword() -> None:
    rows = [
        {"row_key": "2", "topic": "Cold brew", "seo_score": "80", "draft_id": "4"},
        {"row_key": "3", "topic": "2024", "seo_score": "", "draft_id": "5"},
    ]
    figure = seo_chart(rows)
    assert figure is not None
    assert list(figure.data[0].x) == ["Cold brew"] and list(figure.data[0].y) == [80.0]
    assert figure.layout.xaxis.type == "category"
    assert seo_chart(rows[1:]) is None


def test_the_seo_cell_says_no_keyword() -> None:
    assert seo_cell({"seo_score": "71.5", "draft_id": "7"}) == "71.5"
    assert seo_cell({"seo_score": None, "draft_id": 7}) == NO_KEYWORD
    assert seo_cell({"seo_score": "", "draft_id": ""}) == ""  # nothing written: nothing to say
