"""An error as the one line the CLI prints, naming inputs the way the command line spells them.

The kernel names a bad input by its request field (``channel``, ``topic``, ``format``); a
person typed ``--channel``, the TOPIC argument or ``--type``. The running command's own
parameters say which flag carries a field, so the line can point at what to retype.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer.core import TyperArgument, TyperGroup

from aiwriter_kernel.errors import AIWriterError, ValidationError

FIELD_PARAMETERS = {
    "format": "article_type",
    "target_words": "words",
    "keywords": "keyword",
    "source_ids": "source",
}
"""Request fields whose command-line parameter has another name."""


def error_line(error: Exception, command: Any, argv: Sequence[str]) -> str:
    """The message after ``error:``: a kernel error's own words, the flag named when known."""
    if isinstance(error, ValidationError) and error.field:
        flag = flag_for(error.field, command, argv)
        if flag is not None:
            return f"{flag}: {error.reason}"
    if isinstance(error, AIWriterError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error} (rerun with --debug for details)"


def flag_for(field: str, root: Any, argv: Sequence[str]) -> str | None:
    """How the command ``argv`` runs spells the input ``field``: ``--flag`` or ``TOPIC``."""
    command = _running_command(root, argv)
    names = {field, FIELD_PARAMETERS.get(field, field)}
    for parameter in command.params:
        if parameter.name not in names:
            continue
        if isinstance(parameter, TyperArgument):
            return parameter.name.upper()
        long_names = [name for name in parameter.opts if name.startswith("--")]
        return (long_names or parameter.opts)[0]
    return None


def _running_command(root: Any, argv: Sequence[str]) -> Any:
    """The sub-command ``argv`` reaches (``kb ingest`` in ``aiwriter kb ingest x``)."""
    command = root
    for word in argv:
        if not isinstance(command, TyperGroup):
            break
        if word.startswith("-"):
            continue  # a group's own option (--debug) before the sub-command
        if word not in command.commands:
            break
        command = command.commands[word]
    return command
