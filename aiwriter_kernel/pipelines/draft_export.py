"""One stored draft version as a download: Markdown, a safe HTML page, or a Word document.

Front ends (Streamlit's Library, the API's export route) offer these bytes as a file; nothing
is written to disk, so an export never touches the home.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from aiwriter_kernel.pipelines.exports import file_slug, render_html

if TYPE_CHECKING:
    from markdown_it.token import Token

ExportFormat = Literal["md", "html", "docx"]

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ExportedDraft(BaseModel):
    """A file to hand to the user: its name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


def export_markdown(markdown: str, title: str, fmt: str, *, stem: str) -> ExportedDraft:
    """``markdown`` rendered as ``fmt``; the file is named ``<slug>-<stem>.<fmt>``."""
    from aiwriter_kernel.errors import ValidationError

    if fmt not in MEDIA_TYPES:
        raise ValidationError(f"unknown export format {fmt!r}: use md, html or docx")
    if fmt == "md":
        content = markdown.encode("utf-8")
    elif fmt == "html":
        content = render_html(markdown, title).encode("utf-8")
    else:
        content = render_docx(markdown, title)
    return ExportedDraft(
        filename=f"{file_slug(title)}-{stem}.{fmt}", media_type=MEDIA_TYPES[fmt], content=content
    )


def render_docx(markdown: str, title: str) -> bytes:
    """A Word document with real headings, paragraphs and lists (not one block of text).

    Raw HTML in the Markdown stays literal text, as in the HTML export.
    """
    from docx import Document
    from markdown_it import MarkdownIt

    document = Document()
    document.core_properties.title = title
    tokens = MarkdownIt("commonmark", {"html": False}).parse(markdown)
    lists: list[str] = []
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if token.type == "bullet_list_open" else "List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "inline":
            _add_block(document, tokens[index - 1], token, lists)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_block(document, opener: Token, inline: Token, lists: list[str]) -> None:
    if opener.type == "heading_open":
        paragraph = document.add_heading(level=min(int(opener.tag[1:]), 9))
    elif lists:
        paragraph = document.add_paragraph(style=lists[-1])
    else:
        paragraph = document.add_paragraph()
    _add_runs(paragraph, inline.children or [])


def _add_runs(paragraph, children: list[Token]) -> None:
    """Inline text with bold and italics kept; links keep their text and show their target."""
    bold = italic = False
    link: str | None = None
    for child in children:
        if child.type in ("strong_open", "strong_close"):
            bold = child.type == "strong_open"
        elif child.type in ("em_open", "em_close"):
            italic = child.type == "em_open"
        elif child.type == "link_open":
            link = str(child.attrs.get("href", ""))
        elif child.type == "link_close":
            if link:
                paragraph.add_run(f" ({link})")
            link = None
        elif child.type in ("text", "code_inline", "html_inline"):
            run = paragraph.add_run(child.content)
            run.bold, run.italic = bold, italic
        elif child.type in ("softbreak", "hardbreak"):
            paragraph.add_run(" " if child.type == "softbreak" else "\n")
