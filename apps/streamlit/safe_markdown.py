"""Markdown from models, sources and users, made safe to show in a Streamlit page.

Drafts are written from documents anyone could have uploaded, so a draft may contain
``<script>`` or ``<img onerror=...>``. Two layers keep such markup from ever becoming an
element: every ``<`` outside code is escaped to ``&lt;`` here (so no HTML tag survives the
Markdown parser), and the result is shown with ``st.markdown(..., unsafe_allow_html=False)``
only. Code blocks and code spans are left as they are: their text is shown literally anyway,
and escaping there would show ``&lt;`` to the reader.
"""

from __future__ import annotations

import re

import streamlit as st

BACKTICKS = re.compile(r"`+")


def escape_html(markdown: str) -> str:
    """``markdown`` with every ``<`` outside code escaped, so no HTML tag survives.

    Should the escaped text still parse with raw HTML in it (escaping prose can turn a code
    block that followed an HTML block into prose), every ``<`` is escaped, code included.
    """
    markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line + "\n" for line in markdown.split("\n")]
    lines[-1] = lines[-1][:-1]
    code = _code_lines(markdown)
    out: list[str] = []
    prose: list[str] = []
    for number, line in enumerate(lines):
        if number in code:
            out.append(_escape_inline("".join(prose)))
            prose = []
            out.append(line)
        else:
            prose.append(line)
    out.append(_escape_inline("".join(prose)))
    escaped = "".join(out)
    if _has_raw_html(escaped):
        return markdown.replace("<", "&lt;")
    return escaped


def show_markdown(markdown: str, **kwargs: object) -> None:
    """Render untrusted Markdown: escaped, and never with raw HTML allowed."""
    st.markdown(escape_html(markdown), unsafe_allow_html=False, **kwargs)


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})


def _code_lines(markdown: str) -> set[int]:
    """Numbers of the lines inside fenced or indented code blocks (0-based)."""
    lines: set[int] = set()
    for token in _parser().parse(markdown):
        if token.type in ("fence", "code_block") and token.map is not None:
            lines.update(range(token.map[0], token.map[1]))
    return lines


def _has_raw_html(markdown: str) -> bool:
    for token in _parser().parse(markdown):
        if token.type == "html_block":
            return True
        if any(child.type == "html_inline" for child in token.children or ()):
            return True
    return False


def _escape_inline(text: str) -> str:
    """Escape ``<`` outside code spans; a backslash-escaped backtick opens no span."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            # an escaped "<" is a literal "<": the entity says the same without the backslash
            out.append("&lt;" if text[i + 1] == "<" else text[i : i + 2])
            i += 2
        elif char == "`":
            run = BACKTICKS.match(text, i)
            assert run is not None
            closing = _closing_run(text, run.end(), len(run.group()))
            if closing is None:
                out.append(run.group())
                i = run.end()
            else:
                out.append(text[i:closing])
                i = closing
        elif char == "<":
            out.append("&lt;")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _closing_run(text: str, start: int, length: int) -> int | None:
    """The end of the next backtick run of exactly ``length`` after ``start``, if any."""
    for run in BACKTICKS.finditer(text, start):
        if len(run.group()) == length:
            return run.end()
    return None
