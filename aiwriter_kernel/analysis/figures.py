"""Plotly figures of the analysis reports. They return figures and never show them: the
notebook, the web app and the API each decide how to display or serialise one.

Plotly is imported inside each function, so importing the analysis costs nothing until a
figure is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from aiwriter_kernel.analysis.keywords import KeywordReport
    from aiwriter_kernel.analysis.readability import ReadabilityReport
    from aiwriter_kernel.analysis.voice import VoiceReport

GOOD, FAIR, POOR = "#2e7d32", "#f9a825", "#c62828"


def score_gauge(score: float, title: str) -> go.Figure:
    """A 0-100 gauge, red below 50, amber below 80, green above: for the SEO score."""
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=score,
            title={"text": title},
            number={"suffix": " / 100"},
            gauge={
                "axis": {"range": [0, 100]},
                "bar": {"color": "#263238"},
                "steps": [
                    {"range": [0, 50], "color": POOR},
                    {"range": [50, 80], "color": FAIR},
                    {"range": [80, 100], "color": GOOD},
                ],
            },
        )
    )
    figure.update_layout(title={"text": title}, height=300, margin={"t": 80, "b": 20})
    return figure


def readability_bars(report: ReadabilityReport) -> go.Figure:
    """Reading ease (0-100, higher is easier) beside the grade-level scores (lower is
    easier); two panels because the scales differ and one axis would mislead."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.3, 0.7],
        subplot_titles=("Reading ease (higher is easier)", "Grade level (lower is easier)"),
    )
    ease = report.flesch_reading_ease
    figure.add_trace(
        go.Bar(
            x=["Flesch reading ease"],
            y=[ease],
            text=[f"{ease:.0f}"],
            marker_color=GOOD if ease >= 60 else FAIR if ease >= 30 else POOR,
            name="Reading ease",
        ),
        row=1,
        col=1,
    )
    grades = {
        "Flesch-Kincaid": report.flesch_kincaid_grade,
        "Gunning fog": report.gunning_fog,
        "SMOG": report.smog_index,
        "Dale-Chall": report.dale_chall,
    }
    figure.add_trace(
        go.Bar(
            x=list(grades),
            y=list(grades.values()),
            text=[f"{value:.1f}" for value in grades.values()],
            marker_color="#1565c0",
            name="Grade level",
        ),
        row=1,
        col=2,
    )
    figure.update_yaxes(title_text="score (0-100)", range=[0, 100], row=1, col=1)
    figure.update_yaxes(title_text="US school grade", row=1, col=2)
    figure.update_xaxes(title_text="formula", row=1, col=2)
    figure.update_layout(title={"text": "Readability"}, showlegend=False)
    return figure


def keyword_density_bars(report: KeywordReport) -> go.Figure:
    """Density of each key phrase, best phrase on top, with the usual 0.5-2.5 % band shaded."""
    import plotly.graph_objects as go

    keywords = list(reversed(report.keywords))  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(
            x=[k.density for k in keywords],
            y=[k.phrase for k in keywords],
            orientation="h",
            text=[f"{k.density:.2f} % ({k.count}x)" for k in keywords],
            marker_color="#1565c0",
        )
    )
    figure.add_vrect(x0=0.5, x1=2.5, fillcolor=GOOD, opacity=0.12, line_width=0)
    figure.update_layout(
        title={"text": f"Key phrase density ({report.word_count} words)"},
        xaxis_title="density (% of words)",
        yaxis_title="key phrase",
        height=max(300, 28 * len(keywords) + 120),
    )
    return figure


def sentence_length_histogram(report: ReadabilityReport) -> go.Figure:
    """How long the sentences are, with the long-sentence threshold marked."""
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Histogram(x=report.sentence_lengths.lengths, xbins={"size": 5}, marker_color="#1565c0")
    )
    figure.add_vline(
        x=report.long_sentence_words + 0.5,
        line_dash="dash",
        line_color=POOR,
        annotation_text=f"long: > {report.long_sentence_words} words",
    )
    figure.update_layout(
        title={"text": f"Sentence lengths (mean {report.sentence_lengths.mean:.1f} words)"},
        xaxis_title="words per sentence",
        yaxis_title="sentences",
        bargap=0.05,
    )
    return figure


def voice_check_bars(report: VoiceReport) -> go.Figure:
    """Each voice check as a bar of its weight, green when passed and red when failed, so
    the failed checks that cost the most points stand out."""
    import plotly.graph_objects as go

    checks = list(reversed(report.checks))  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(
            x=[c.weight for c in checks],
            y=[c.label for c in checks],
            orientation="h",
            text=["passed" if c.passed else "failed" for c in checks],
            hovertext=[c.detail for c in checks],
            marker_color=[GOOD if c.passed else POOR for c in checks],
        )
    )
    figure.update_layout(
        title={"text": f"Voice match with {report.persona}: {report.score} / 100"},
        xaxis_title="weight (points)",
        yaxis_title="check",
        height=max(300, 40 * len(checks) + 120),
    )
    return figure
