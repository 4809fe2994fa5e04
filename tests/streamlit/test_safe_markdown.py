"""Markup in drafts and sources shows as text in the app, never as an element."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiwriter_apps.streamlit.safe_markdown import escape_html
from aiwriter_apps.streamlit.streaming import section_markdown
from app_pages import page
from markdown_it import MarkdownIt

from aiwriter_kernel.pipelines.article_models import PipelineEvent
from aiwriter_kernel.workbench import Workbench

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
HOSTILE = [
    f"# Title\n\nIntro {SCRIPT} and {IMAGE} inline.\n",
    f"{SCRIPT}\n\n{IMAGE}\n",
    f"<div>\n{IMAGE}\n</div>\n",
    f"<script>a</script>\n    {IMAGE}\n",  # indented code after an HTML block
    f"- item\n\n    {SCRIPT}\n",  # a list continuation, not code
    f"> quoted {IMAGE}\n",
    f"a \\`{IMAGE}\\` b\n",  # escaped backticks open no code span
    f"`unclosed {SCRIPT}\n",
    f"[link](<javascript:alert(1)>) <http://example.com> {IMAGE}\r\n{SCRIPT}\r\n",
    f"<!-- comment --> <?php echo 1; ?> <![CDATA[x]]> {IMAGE}",
]


def raw_html(markdown: str) -> list[str]:
    """The raw HTML a CommonMark renderer that allows HTML would pass through."""
    found = []
    for token in MarkdownIt("commonmark", {"html": True}).parse(markdown):
        if token.type == "html_block":
            found.append(token.content)
        found.extend(c.content for c in token.children or () if c.type == "html_inline")
    return found


@pytest.mark.parametrize("markdown", HOSTILE)
def test_no_html_survives_escaping(markdown: str) -> None:
    assert raw_html(markdown), "the example should contain raw HTML before escaping"
    escaped = escape_html(markdown)
    assert raw_html(escaped) == []
    rendered = MarkdownIt("commonmark", {"html": True}).render(escaped)
    assert "<script" not in rendered and "<img" not in rendered


def test_the_tags_still_read_as_text() -> None:
    rendered = MarkdownIt("commonmark", {"html": True}).render(escape_html(HOSTILE[0]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "&lt;img src=x onerror=alert(2)&gt;" in rendered
    assert "<h1>Title</h1>" in rendered  # Markdown itself still works


def test_code_is_left_as_written() -> None:
    markdown = f"Use `{IMAGE}` here.\n\n```html\n{SCRIPT}\n```\n\n    <b>indented</b>\n"
    assert escape_html(markdown) == markdown
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)
    assert "<code>&lt;img" in rendered


def test_streamed_sections_are_escaped_too() -> None:
    event = PipelineEvent(stage="section", message="wrote", section=f"A {SCRIPT}", text=IMAGE)
    chunk = section_markdown(event)
    assert chunk.startswith("## A &lt;script>")
    assert raw_html(chunk) == []


def test_a_hostile_draft_shows_as_text_in_the_library(home: Path) -> None:
    content = HOSTILE[0] + f"\n## Section\n\n{IMAGE}\n"
    with Workbench.open(home=home) as wb:
        space = wb.workspace()
        wb.db.drafts.create_draft(
            space.id, kind="article", title=f"Title {SCRIPT}", topic="t", content=content
        )
    at = page("6_Library.py").run()
    assert not at.exception
    (body,) = [m for m in at.markdown if "Intro" in m.value]
    assert not body.proto.allow_html
    assert raw_html(body.value) == []
    assert "&lt;script>alert(1)&lt;/script>" in body.value
    assert "&lt;img src=x onerror=alert(2)>" in body.value
    for element in at.markdown:  # nothing on the page may carry raw HTML through
        assert not element.proto.allow_html
        assert raw_html(element.value) == []
