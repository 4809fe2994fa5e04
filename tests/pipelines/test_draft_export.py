"""Downloads of a stored draft: Markdown as stored, safe HTML, and a structured Word file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from aiwriter_kernel import Workbench
from aiwriter_kernel.errors import NotFoundError, ValidationError

TEXT = (
    "# Plain words win\n\n"
    "Readers **skim** pages and *rarely* read every word.\n\n"
    "## Why it matters\n\n"
    "- Short sentences\n- Familiar words\n\n"
    "1. Write\n2. Cut\n\n"
    "See [the guide](https://example.org/guide). <script>alert(1)</script>\n"
)


@pytest.fixture
def stored(tmp_path: Path):
    with Workbench.open(home=tmp_path) as workbench:
        space = workbench.workspace()
        draft, _ = workbench.db.drafts.create_draft(
            space.id, kind="article", title="Plain words win", topic="t", content=TEXT
        )
        workbench.db.drafts.add_version(draft.id, content=TEXT + "\nAdded.\n", stage="edit")
        yield workbench, draft.id


def test_markdown_is_the_stored_version(stored) -> None:
    workbench, draft_id = stored
    latest = workbench.export(draft_id, "md")
    first = workbench.export(draft_id, "md", version=1)
    assert latest.content.decode() == TEXT + "\nAdded.\n"
    assert first.content.decode() == TEXT
    assert latest.filename == f"plain-words-win-{draft_id}-v2.md"
    assert first.filename.endswith("-v1.md")
    assert latest.media_type.startswith("text/markdown")


def test_html_escapes_raw_markup(stored) -> None:
    workbench, draft_id = stored
    page = workbench.export(draft_id, "html").content.decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<h1>Plain words win</h1>" in page and "<strong>skim</strong>" in page


def test_docx_keeps_headings_lists_and_emphasis(stored) -> None:
    workbench, draft_id = stored
    exported = workbench.export(draft_id, "docx")
    document = Document(io.BytesIO(exported.content))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Plain words win") in styled
    assert ("Heading 2", "Why it matters") in styled
    assert ("List Bullet", "Short sentences") in styled
    assert ("List Number", "Cut") in styled
    [skim] = [p for p in document.paragraphs if "skim" in p.text]
    assert any(run.bold and run.text == "skim" for run in skim.runs)
    assert any(run.italic and run.text == "rarely" for run in skim.runs)
    [link] = [p.text for p in document.paragraphs if "guide" in p.text]
    assert "the guide (https://example.org/guide)" in link
    assert "<script>alert(1)</script>" in link  # kept as literal text, as in the HTML export
    assert document.core_properties.title == "Plain words win"


def test_unknown_formats_versions_and_drafts_are_refused(stored) -> None:
    workbench, draft_id = stored
    with pytest.raises(ValidationError, match="unknown export format 'pdf'"):
        workbench.export(draft_id, "pdf")
    with pytest.raises(NotFoundError, match="version 9"):
        workbench.export(draft_id, "md", version=9)
    with pytest.raises(NotFoundError, match="no draft 999"):
        workbench.export(999, "md")
