"""Analysis panel: SEO score and checks with their fixes, readability numbers and charts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
from aiwriter_widgets.panel import Panel
from aiwriter_widgets.render import escape, figure_output, passed_mark, table

from aiwriter_kernel.analysis import figures
from aiwriter_kernel.errors import ValidationError

if TYPE_CHECKING:
    from aiwriter_kernel.analysis import AnalysisReport
    from aiwriter_kernel.pipelines.article_models import ArticleResult
    from aiwriter_kernel.workbench import Workbench


class AnalysisPanel(Panel):
    """Analyse pasted Markdown, or a draft handed over with ``analyze_result``."""

    def __init__(self, workbench: Workbench, **kwargs: Any) -> None:
        super().__init__(workbench, **kwargs)
        self.markdown = w.Textarea(
            placeholder="Markdown to analyse", layout=w.Layout(width="95%", height="8em")
        )
        self.keyword = w.Text(placeholder="focus keyword for the SEO audit", description="Keyword")
        self.keyword.add_class("aiw-analysis-keyword")
        self.draft: ArticleResult | None = None  # the draft the text came from, if any
        self.report: AnalysisReport | None = None
        self.seo_html = w.HTML()
        self.seo_html.add_class("aiw-seo")
        self.readability_html = w.HTML()
        self.readability_html.add_class("aiw-readability")
        self.charts = w.Output()
        self.charts.add_class("aiw-charts")
        self.analyze_button = self.button("Analyze", self.analyze, "aiw-analyze")
        self.children = (
            w.HTML("<h3>Analysis</h3>"),
            self.markdown,
            w.HBox([self.keyword, self.analyze_button]),
            self.status,
            self.seo_html,
            self.readability_html,
            self.charts,
        )

    def analyze_result(self, result: ArticleResult, keyword: str | None = None) -> None:
        """Analyse a written draft; its citations are checked against its sources."""
        self.markdown.value = result.markdown
        if keyword is not None:
            self.keyword.value = keyword
        self.draft = result
        self.analyze()

    def analyze(self) -> None:
        markdown = self.markdown.value
        if not markdown.strip():
            raise ValidationError("there is no text to analyse: write or paste a draft")
        keyword = self.keyword.value.strip() or None
        draft = self.draft if self.draft is not None and self.draft.markdown == markdown else None
        self.run(
            "analysing",
            lambda: self.wb.analyze(markdown, keyword=keyword, draft=draft),
            self._show,
        )

    def _show(self, report: AnalysisReport) -> None:
        self.report = report
        self.seo_html.value = _seo_html(report)
        self.readability_html.value = _readability_html(report)
        charts = [figures.readability_bars(report.readability)]
        charts.append(figures.sentence_length_histogram(report.readability))
        if report.seo is not None:
            charts.insert(0, figures.score_gauge(report.seo.score, "SEO score"))
        if report.keywords.keywords:
            charts.append(figures.keyword_density_bars(report.keywords))
        self.charts.outputs = tuple(figure_output(chart) for chart in charts)
        self.show_done("analysis done")


def _seo_html(report: AnalysisReport) -> str:
    seo = report.seo
    if seo is None:
        return "<i>Give a focus keyword to get an SEO score.</i>"
    rows = ((c.label, passed_mark(c.passed), c.weight, c.detail, c.fix) for c in seo.checks)
    return (
        f"<h4 class='aiw-seo-score'>SEO score: {seo.score} / 100 "
        f"for {escape(seo.keyword)!s}</h4>"
        + table(("check", "result", "weight", "detail", "how to fix"), rows)
    )


def _readability_html(report: AnalysisReport) -> str:
    r = report.readability
    rows = (
        ("Flesch reading ease", f"{r.flesch_reading_ease:.1f}"),
        ("Flesch-Kincaid grade", f"{r.flesch_kincaid_grade:.1f}"),
        ("Gunning fog", f"{r.gunning_fog:.1f}"),
        ("SMOG", f"{r.smog_index:.1f}"),
        ("Words", report.word_count),  # the one word count, as in the draft and the charts
        ("Sentences", r.sentence_count),
        ("Reading time (minutes)", f"{r.reading_time_minutes:.1f}"),
        ("Passive sentences", f"{r.passive_rate:.0%}"),
        (f"Sentences over {r.long_sentence_words} words", len(r.long_sentences)),
    )
    return "<h4>Readability</h4>" + table(("measure", "value"), rows)
