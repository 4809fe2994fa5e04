"""The research panel against a real knowledge base: upload, ingest by path, search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiwriter_widgets import ResearchPanel
from conftest import CORPUS, WAIT_S

from aiwriter_kernel.workbench import Workbench

pytestmark = pytest.mark.slow

NOTE = (
    "# Compost notes\n\n"
    "A compost heap needs turning every two weeks so that air reaches the middle. "
    "Brown leaves balance green kitchen scraps. <b>Never add meat</b> to a garden heap.\n"
)


def _upload(name: str, text: str) -> dict:
    data = text.encode("utf-8")
    return {
        "name": name,
        "type": "text/markdown",
        "size": len(data),
        "content": memoryview(data),
        "last_modified": datetime.now(UTC),
    }


def test_an_upload_is_ingested_and_found_with_its_citation(wb: Workbench) -> None:
    panel = ResearchPanel(wb)
    panel.upload.value = (_upload("compost.md", NOTE),)
    panel.upload_button.click()
    panel.wait(WAIT_S)
    assert panel.last_error is None
    assert "1 added" in panel.report.value
    assert panel.upload.value == ()

    panel.query.value = "how often should a compost heap be turned"
    panel.k.value = 3
    panel.search_button.click()
    panel.wait(WAIT_S)
    assert panel.hits, "the uploaded note should be found"
    top = panel.hits[0]
    assert top.source_title == "Compost notes"
    assert top.citation in _unescaped(panel.hits_html.value)
    # the document's markup is shown as text, never injected into the page
    assert "<b>Never" not in panel.hits_html.value
    assert "&lt;b&gt;Never add meat" in panel.hits_html.value


def test_the_same_file_added_by_path_again_is_unchanged(wb: Workbench) -> None:
    panel = ResearchPanel(wb)
    panel.path.value = str(CORPUS / "readability.md")
    panel.ingest_button.click()
    panel.wait(WAIT_S)
    assert panel.last_error is None
    assert "1 unchanged" in panel.report.value and "0 added" in panel.report.value


def test_bad_inputs_show_one_line_messages(wb: Workbench) -> None:
    panel = ResearchPanel(wb)
    panel.search_button.click()  # nothing typed: refused before any thread starts
    assert panel.last_error == "type something to search for"
    assert "aiw-mark-error" in panel.status.value and "<b>error</b>" in panel.status.value

    panel.path.value = "/no/such/folder/notes.md"
    panel.ingest_button.click()
    panel.wait(WAIT_S)
    assert "1 failed" in panel.report.value
    assert "/no/such/folder/notes.md" in panel.report.value


def _unescaped(markup: str) -> str:
    import html

    return html.unescape(markup)
