"""The warnings of a finished job, each on a line of its own, where the writer sees them.
(Errors are shown as one line with ``aiwriter_kernel.errors.one_line``.)"""

from __future__ import annotations

from collections.abc import Sequence

from aiwriter_widgets.render import escape, status_mark


def warnings_html(warnings: Sequence[str]) -> str:
    """The warnings as an amber list (empty when there are none): a thin topic or a short
    article is a result the writer should know about, not a line in a log."""
    if not warnings:
        return ""
    mark = status_mark("warning")
    items = "".join(f"<li>{mark} {escape(warning)}</li>" for warning in warnings)
    return f"<ul style='color: #8d6e00; list-style: none; padding-left: 0'>{items}</ul>"
