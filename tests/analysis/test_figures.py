"""Each figure builder returns a plotly Figure with data, a title and axis labels."""

from __future__ import annotations

import plotly.graph_objects as go

from aiwriter_kernel.analysis.figures import (
    keyword_density_bars,
    readability_bars,
    score_gauge,
    sentence_length_histogram,
)
from aiwriter_kernel.analysis.keywords import keyword_report
from aiwriter_kernel.analysis.readability import readability_report

TEXT = (
    "Vector search finds similar items. A vector index trades recall for speed. "
    "Short sentences read well. This one, however, keeps going for a while longer than the "
    "others so that the histogram has more than a single bar to draw for the reader today."
)


def test_score_gauge() -> None:
    figure = score_gauge(72, "SEO score")
    assert isinstance(figure, go.Figure)
    assert figure.data[0].value == 72
    assert figure.layout.title.text == "SEO score"
    assert tuple(figure.data[0].gauge.axis.range) == (0, 100)


def test_readability_bars() -> None:
    report = readability_report(TEXT)
    figure = readability_bars(report)
    assert isinstance(figure, go.Figure)
    assert list(figure.data[0].y) == [report.flesch_reading_ease]
    assert list(figure.data[1].y) == [
        report.flesch_kincaid_grade,
        report.gunning_fog,
        report.smog_index,
        report.dale_chall,
    ]
    assert figure.layout.title.text == "Readability"
    assert figure.layout.yaxis.title.text and figure.layout.yaxis2.title.text


def test_keyword_density_bars() -> None:
    report = keyword_report(TEXT, top=5)
    figure = keyword_density_bars(report)
    assert isinstance(figure, go.Figure)
    assert list(figure.data[0].y) == [k.phrase for k in reversed(report.keywords)]
    assert list(figure.data[0].x) == [k.density for k in reversed(report.keywords)]
    assert "density" in figure.layout.title.text.lower()
    assert figure.layout.xaxis.title.text == "density (% of words)"
    assert figure.layout.yaxis.title.text == "key phrase"


def test_sentence_length_histogram() -> None:
    report = readability_report(TEXT)
    figure = sentence_length_histogram(report)
    assert isinstance(figure, go.Figure)
    assert list(figure.data[0].x) == report.sentence_lengths.lengths
    assert figure.layout.xaxis.title.text == "words per sentence"
    assert figure.layout.yaxis.title.text == "sentences"
    assert figure.layout.title.text.startswith("Sentence lengths")
