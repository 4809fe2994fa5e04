"""HTML for the panels. Every piece of text that came from a user, a source or a model is
escaped here, so a document containing markup can never inject it into the page."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

PLOTLY_MIME = "application/vnd.plotly.v1+json"


# The colour of each kind of status; the word shown with it says the same for those who
# cannot tell the colours apart.
STATUS_COLOURS = {
    "working": "#1565c0",
    "done": "#2e7d32",
    "error": "#c62828",
    "warning": "#8d6e00",
    "pass": "#2e7d32",
    "fail": "#c62828",
}


class Html(str):
    """Markup built here from escaped parts: ``table`` puts it in a cell as it is."""


def escape(text: object) -> str:
    return html.escape("" if text is None else str(text))


def status_mark(kind: str) -> Html:
    """A coloured dot and the word ``kind`` ("done", "error"...), drawn with CSS: a symbol character
    (a check mark, an hourglass) shows as an empty box where the font lacks its glyph."""
    colour = STATUS_COLOURS[kind]
    dot = (
        "<span style='display: inline-block; width: 0.6em; height: 0.6em; "
        f"border-radius: 50%; background: {colour}; margin-right: 0.35em'></span>"
    )
    return Html(
        f"<span class='aiw-mark aiw-mark-{kind}' style='color: {colour}; white-space: nowrap'>"
        f"{dot}<b>{kind}</b></span>"
    )


def markdown_html(markdown: str) -> str:
    """Markdown rendered with raw HTML disabled: tags in a draft show as text."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).render(markdown)


def preformatted(text: str) -> str:
    return f"<pre style='white-space: pre-wrap; margin: 0'>{escape(text)}</pre>"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain bordered table; cells are escaped unless they are ``Html`` built here."""
    head = "".join(f"<th style='text-align: left'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        "<table style='border-collapse: collapse' border='1' cellpadding='4'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _cell(cell: object) -> str:
    return cell if isinstance(cell, Html) else escape(cell)


def diff_html(diff: str) -> str:
    """A unified diff with added lines green and removed lines red."""
    if not diff:
        return "<i>The two versions are identical.</i>"
    colours = {"+": "#e6ffed", "-": "#ffeef0", "@": "#f1f8ff"}
    lines = []
    for line in diff.splitlines():
        colour = colours.get(line[:1], "transparent")
        lines.append(f"<div style='background: {colour}'>{escape(line) or '&nbsp;'}</div>")
    return "<div style='font-family: monospace; white-space: pre-wrap'>" + "".join(lines) + "</div>"


def passed_mark(passed: bool) -> Html:
    return status_mark("pass") if passed else status_mark("fail")


def figure_output(figure: go.Figure) -> dict[str, Any]:
    """A figure as an ``Output`` widget's display_data: set on ``Output.outputs`` it renders
    through the Plotly mime renderer (offline, no CDN) and is safe to set from a thread,
    unlike ``with output:`` which captures by the kernel's current message."""
    title = figure.layout.title.text or "figure"
    return {
        "output_type": "display_data",
        "data": {PLOTLY_MIME: json.loads(figure.to_json()), "text/plain": f"<{title}>"},
        "metadata": {},
    }
