"""Errors as one readable line: a panel shows what went wrong, never a traceback; and the
warnings of a finished job, each on a line of its own, where the writer sees them."""

from __future__ import annotations

from collections.abc import Sequence

from aiwriter_kernel.errors import AIWriterError
from widgets.render import escape


def one_line(error: BaseException) -> str:
    """The error's message on one line; unexpected errors also name their type, since
    their message alone ("list index out of range") rarely says where it came from."""
    message = " ".join(str(error).split())
    if isinstance(error, AIWriterError):
        return message or type(error).__name__
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def warnings_html(warnings: Sequence[str]) -> str:
    """The warnings as an amber list (empty when there are none): a thin topic or a short
    article is a result the writer should know about, not a line in a log."""
    if not warnings:
        return ""
    items = "".join(f"<li>⚠ {escape(warning)}</li>" for warning in warnings)
    return f"<ul style='color: #8d6e00; list-style: none; padding-left: 0'>{items}</ul>"
