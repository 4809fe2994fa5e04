"""Render a task through its prompt template: one Jinja2 file per task under ``prompts/``.

Templates have a ``system`` and a ``user`` block and a ``{# version: N #}`` header that
the call log records, so any stored output can be traced to the exact prompt wording.
Undefined variables are errors, raised before anything is sent.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from aiwriter_kernel.errors import PromptError
from aiwriter_kernel.llm.messages import ChatMessage
from aiwriter_kernel.llm.tasks import Task

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
VERSION_PATTERN = re.compile(r"\{#\s*version:\s*(\S+)\s*#\}")
SOURCE_CLOSE = re.compile(r"</\s*(source|text)\s*>", re.IGNORECASE)


class RenderedPrompt(BaseModel):
    """The messages of a task, with the template's name and version for the call log."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[ChatMessage, ...]
    template: str
    template_version: str


def fence(text: str) -> str:
    """Keep quoted material from closing its own delimiter and escaping into the prompt."""
    return SOURCE_CLOSE.sub(lambda match: f"</ {match.group(1)}>", text)


@cache
def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    environment.filters["fence"] = fence
    return environment


def template_version(name: str) -> str:
    """The version a template file declares in its header."""
    path = PROMPTS_DIR / f"{name}.j2"
    if not path.is_file():
        raise PromptError(f"no prompt template named {name!r} in {PROMPTS_DIR}")
    match = VERSION_PATTERN.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise PromptError(f"prompt template {path.name} has no '{{# version: N #}}' header")
    return match.group(1)


def render(name: str, variables: dict[str, object]) -> RenderedPrompt:
    """Render template ``name`` with ``variables`` into system and user messages."""
    import jinja2

    version = template_version(name)
    template = _environment().get_template(f"{name}.j2")
    try:
        context = template.new_context(dict(variables))
        parts = {
            block: "".join(template.blocks[block](context)).strip() for block in ("system", "user")
        }
    except jinja2.UndefinedError as error:
        raise PromptError(f"prompt template {name!r} is missing a variable: {error}") from None
    messages = tuple(
        ChatMessage(role=role, content=parts[role]) for role in ("system", "user") if parts[role]
    )
    return RenderedPrompt(messages=messages, template=name, template_version=version)


def render_task(task: Task) -> RenderedPrompt:
    """Render a typed task through its own template."""
    variables = {name: getattr(task, name) for name in type(task).model_fields}
    return render(task.template, variables)
