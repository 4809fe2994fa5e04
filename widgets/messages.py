"""Errors as one readable line: a panel shows what went wrong, never a traceback."""

from __future__ import annotations

from aiwriter_kernel.errors import AIWriterError


def one_line(error: BaseException) -> str:
    """The error's message on one line; unexpected errors also name their type, since
    their message alone ("list index out of range") rarely says where it came from."""
    message = " ".join(str(error).split())
    if isinstance(error, AIWriterError):
        return message or type(error).__name__
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
