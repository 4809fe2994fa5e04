"""Every page of the Streamlit app, run through ``AppTest``: fill the widgets, press the
buttons, and check both what the page shows and what the workbench stored."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import pytest
from app_pages import button, messages, page, selectbox, shown_text, store_draft, text_input
from docx import Document
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from aiwriter_kernel.analysis.word_count import word_count
from aiwriter_kernel.workbench import Workbench

TOPIC = "How to write readable web content"
UNCOVERED = "How to brew cold brew coffee"  # the demo corpus has nothing on it
THIN = "Headlines versus cold brew coffee"  # half covered: planned only when allowed
NOTES = (
    b"# Readable headlines\n\n"
    b"Readable headlines use plain words and promise one clear benefit to the reader. "
    b"Short headlines of about eight words are read in full on small screens.\n"
)


@pytest.fixture
def written(corpus_home: Path) -> int:
    """The id of an article written (outside the app) in the test's home."""
    with Workbench.open(home=corpus_home) as wb:
        return wb.write(TOPIC, keywords=("readability",)).draft_id


@pytest.fixture
def stored(home: Path) -> int:
    """A draft with two versions, stored straight in the test's (empty) home: fast."""
    return store_draft(home, "Readable headlines", [NOTES.decode(), NOTES.decode() + "\nMore.\n"])


def delete_right_after(monkeypatch: pytest.MonkeyPatch, method: str, draft_id: int) -> None:
    """Another session deletes the draft just after this page listed it with ``method``."""
    original = getattr(Workbench, method)

    def listed_then_deleted(self: Workbench, *args, **kwargs):
        found = original(self, *args, **kwargs)
        with Workbench.open(home=self.settings.home) as other:
            other.delete_draft(draft_id)
        monkeypatch.setattr(Workbench, method, original)  # once
        return found

    monkeypatch.setattr(Workbench, method, listed_then_deleted)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, str, str | None]]:
    """Everything pages hand to a download button: (bytes, media type, file name)."""
    handed: list[tuple[bytes, str, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            handed.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return handed


# -- Home ---------------------------------------------------------------------------------------


def test_home_counts_the_drafts_and_sources_of_the_shared_home(written: int) -> None:
    at = page("Home.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Drafts"] == "1"
    assert int(metrics["Sources"]) >= 5  # the demo corpus
    assert "provider **offline**" in at.sidebar.markdown[0].value


# -- Research -----------------------------------------------------------------------------------


def test_research_uploads_lists_searches_and_deletes_sources(home: Path) -> None:
    at = page("1_Research.py").run()
    assert "No sources yet" in shown_text(at)

    button(at, "Add to the knowledge base").click().run()
    assert messages(at, "error") == ["Choose one or more files to add first."]

    at.file_uploader[0].set_value(
        [("headlines.md", NOTES, "text/markdown"), ("empty.md", b"", "text/markdown")]
    )
    button(at, "Add to the knowledge base").click().run()
    assert not at.exception
    assert any("empty.md" in e and "empty" in e for e in messages(at, "error"))
    assert any("Readable headlines: added" in s for s in messages(at, "success"))
    with Workbench.open(home=home) as wb:
        sources = wb.sources()
    assert [s.title for s in sources] == ["Readable headlines"]
    assert at.dataframe[0].value["title"].tolist() == ["Readable headlines"]

    text_input(at, "Query").set_value("short headlines on small screens")
    button(at, "Search").click().run()
    shown = shown_text(at)
    assert "[1] Readable headlines" in shown
    assert "upload:headlines.md" in shown  # the citation
    assert "eight words" in shown

    text_input(at, "Query").set_value("   ")
    button(at, "Search").click().run()
    assert "Type something to search for." in messages(at, "error")

    assert button(at, "Delete source").disabled  # not before the confirmation
    at.checkbox(key="research_delete_sure").check().run()
    button(at, "Delete source").click().run()
    assert not at.exception
    with Workbench.open(home=home) as wb:
        assert wb.sources() == []


# -- Write --------------------------------------------------------------------------------------


def test_write_refuses_an_empty_topic_and_stores_nothing(home: Path) -> None:
    at = page("2_Write.py").run()
    button(at, "Plan the outline").click().run()
    assert messages(at, "error") == ["The topic is empty: say what the article is about."]
    assert not at.text_area  # no outline to edit
    with Workbench.open(home=home) as wb:
        assert wb.drafts() == []


@pytest.mark.slow
def test_write_plans_edits_the_outline_streams_the_draft_and_diffs_versions(
    corpus_home: Path,
) -> None:
    at = page("2_Write.py").run()
    text_input(at, "Topic").set_value(TOPIC)
    text_input(at, "Keywords (comma-separated)").set_value("readability, headlines")
    at.number_input[0].set_value(600)
    button(at, "Plan the outline").click().run()
    assert not at.exception and not at.error

    outline = at.text_area[0].value
    assert outline.startswith("# ") and "\n## " in outline
    with Workbench.open(home=corpus_home) as wb:
        (draft,) = wb.drafts()
        assert wb.versions(draft.id)[-1].stage == "outline"

    # edit: a broken outline is refused with the line, then a valid edit is written
    at.text_area[0].set_value("no title here")
    button(at, "Write the draft").click().run()
    assert any("line 1" in e for e in messages(at, "error"))
    edited = outline.rstrip() + "\n\n## Checklist for editors\n- test every headline aloud\n"
    at.text_area[0].set_value(edited)
    button(at, "Write the draft").click().run()
    assert not at.exception and not at.error

    shown = shown_text(at)
    assert "## Checklist for editors" in shown  # streamed, then shown as the stored draft
    with Workbench.open(home=corpus_home) as wb:
        latest = wb.version(draft.id)
        assert latest.stage == "draft"
        assert "## Checklist for editors" in latest.content
        assert len(wb.versions(draft.id)) >= 2
    assert latest.content.split("\n", 1)[0] in shown  # the title line, rendered
    versions = at.dataframe[-1].value
    assert versions["version"].tolist() == list(range(1, len(versions) + 1))

    button(at, "Show the diff").click().run()
    (diff,) = at.code
    assert diff.language == "diff"
    assert "+## Checklist for editors" in diff.value


@pytest.mark.slow
def test_write_an_uncovered_topic_is_one_error_and_keeps_the_outline_shown(
    corpus_home: Path,
) -> None:
    at = page("2_Write.py").run()
    text_input(at, "Topic").set_value(UNCOVERED)
    button(at, "Plan the outline").click().run()
    assert not at.exception
    (error,) = messages(at, "error")
    assert "no sources on" in error and "allow a thin article" in error
    assert "\n" not in error and "Traceback" not in error
    assert not at.text_area  # nothing planned, nothing to edit
    with Workbench.open(home=corpus_home) as wb:
        assert wb.drafts() == []

    text_input(at, "Topic").set_value(TOPIC)
    button(at, "Plan the outline").click().run()
    assert not at.exception and not at.error
    outline = at.text_area[0].value
    text_input(at, "Topic").set_value(UNCOVERED)
    button(at, "Plan the outline").click().run()
    assert "no sources on" in messages(at, "error")[0]
    assert at.text_area[0].value == outline  # the outline on screen is still there
    with Workbench.open(home=corpus_home) as wb:
        assert len(wb.drafts()) == 1


@pytest.mark.slow
def test_write_a_thin_article_when_allowed_and_shows_every_warning(
    corpus_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict] = []
    original = Workbench.outline

    def recorded(self: Workbench, request, **fields):
        asked.append(fields)
        return original(self, request, **fields)

    monkeypatch.setattr(Workbench, "outline", recorded)
    at = page("2_Write.py").run()
    text_input(at, "Topic").set_value(THIN)
    at.checkbox[0].check()
    assert at.checkbox[0].label == "Allow a thin article"
    button(at, "Plan the outline").click().run()
    assert not at.exception and not at.error
    assert asked[-1]["allow_thin"] is True
    with Workbench.open(home=corpus_home) as wb:
        (draft,) = wb.drafts()
        planned = wb.version(draft.id, 1).meta["warnings"]
    assert any("only thinly" in warning for warning in planned)
    assert messages(at, "warning") == planned  # each one, visibly

    button(at, "Write the draft").click().run()
    assert not at.exception and not at.error
    with Workbench.open(home=corpus_home) as wb:
        written = wb.version(draft.id).meta["warnings"]
    assert len(written) > len(planned)  # the plan's, and the draft's own (its length)
    assert messages(at, "warning") == written  # shown once each, under the draft
    at.run()  # and still there on the next rerun
    assert messages(at, "warning") == written


def test_write_diff_of_a_draft_deleted_meanwhile_is_an_error_not_a_crash(
    stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page("2_Write.py")
    at.session_state["write_draft_id"] = stored
    at.run()
    assert not at.exception and len(at.dataframe[-1].value) == 2
    delete_right_after(monkeypatch, "versions", stored)
    button(at, "Show the diff").click().run()
    assert not at.exception
    (error,) = messages(at, "error")
    assert str(stored) in error and "\n" not in error and "Traceback" not in error
    assert not at.code


# -- Repurpose ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_repurpose_rewrites_a_draft_for_a_channel_with_its_limit_checks(
    corpus_home: Path, written: int
) -> None:
    at = page("3_Repurpose.py").run()
    assert selectbox(at, "Draft").value == written
    selectbox(at, "Channel").set_value("linkedin")
    button(at, "Rewrite").click().run()
    assert not at.exception and not at.error

    with Workbench.open(home=corpus_home) as wb:
        (post,) = wb.drafts(kind="rewrite:linkedin")
        stored = wb.version(post.id).content
    assert at.text[0].value == stored  # the post exactly as it will be pasted
    limits = at.dataframe[0].value
    assert "maximum" in limits.columns and len(limits) >= 1
    assert set(limits["result"]) <= {"pass", "FAIL"}
    assert f"Saved as draft {post.id} v1" in shown_text(at)

    at.radio[0].set_value("Pasted text").run()
    at.text_area[0].set_value("   ")
    button(at, "Rewrite").click().run()
    assert "The text is empty: paste the text to rewrite." in messages(at, "error")


# -- SEO & readability --------------------------------------------------------------------------


def test_seo_page_scores_a_pasted_text_with_charts(home: Path) -> None:
    at = page("4_SEO_and_readability.py").run()
    button(at, "Analyze").click().run()
    assert messages(at, "error") == ["There is no text to analyse: paste a text or choose a draft."]

    text = (NOTES.decode() + "\n") * 3
    at.text_area[0].set_value(text)
    text_input(at, "Focus keyword (for the SEO audit)").set_value("readable headlines")
    button(at, "Analyze").click().run()
    assert not at.exception and not at.error
    shown = shown_text(at)
    assert "SEO score:" in shown and "readable headlines" in shown
    checks = at.dataframe[0].value
    assert {"check", "result", "how to fix"} <= set(checks.columns)
    metrics = {m.label: m.value for m in at.metric}
    words = word_count(text)  # one word count: the metric and the SEO length check agree
    assert int(metrics["Words"]) == words > 40
    assert f"The page has {words} words." in set(checks["detail"])
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # gauge, readability bars, sentence lengths (and key phrases)


@pytest.mark.slow
def test_seo_page_analyses_a_saved_draft(corpus_home: Path, written: int) -> None:
    at = page("4_SEO_and_readability.py").run()
    at.radio[0].set_value("A saved draft").run()
    assert selectbox(at, "Draft").value == written
    button(at, "Analyze").click().run()
    assert not at.exception and not at.error
    assert "Give a focus keyword to get an SEO score." in messages(at, "info")
    assert "Readability" in shown_text(at)


def test_seo_page_reports_a_draft_deleted_meanwhile(
    stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page("4_SEO_and_readability.py").run()
    delete_right_after(monkeypatch, "drafts", stored)
    at.radio[0].set_value("A saved draft").run()
    assert not at.exception
    (error,) = messages(at, "error")
    assert str(stored) in error and "\n" not in error
    button(at, "Analyze").click().run()  # nothing to analyse now: said plainly
    assert not at.exception
    assert "There is no text to analyse: paste a text or choose a draft." in messages(at, "error")


# -- Batch --------------------------------------------------------------------------------------


def test_batch_refuses_a_missing_or_empty_csv(home: Path) -> None:
    at = page("5_Batch.py").run()
    button(at, "Start the batch").click().run()
    assert messages(at, "error") == ["Choose a topics CSV first."]

    at.file_uploader[0].set_value(("topics.csv", b"", "text/csv"))
    button(at, "Start the batch").click().run()
    (error,) = messages(at, "error")
    assert error.startswith("topics.csv:") and "empty" in error
    with Workbench.open(home=home) as wb:
        assert wb.batch_runs() == []


@pytest.mark.slow
def test_batch_runs_in_the_background_and_offers_the_results(
    corpus_home: Path, downloads: list
) -> None:
    data = b"id,topic,keywords\nhead,Readable headlines,readability\n"
    at = page("5_Batch.py").run()
    at.file_uploader[0].set_value(("../../../evil name.csv", data, "text/csv"))
    button(at, "Start the batch").click().run()
    assert not at.exception and not at.error
    saved = list((corpus_home / "uploads" / "operator" / "batch").rglob("*.csv"))
    assert [p.name for p in saved] == [p.name for p in saved if p.name.startswith("evil-name-")]
    assert saved[0].read_bytes() == data  # kept under the home, whatever the name said

    with Workbench.open(home=corpus_home) as wb:
        (job,) = wb.jobs()  # the app's dispatcher runs it, as the API's would
        deadline = time.monotonic() + 240
        while not wb.job(job.id).finished and time.monotonic() < deadline:
            time.sleep(1)
        assert wb.job(job.id).status == "succeeded", wb.job(job.id)
        (run,) = wb.batch_runs()
        report = wb.batch_report(run.id)
    assert report.totals["done"] == 1, report

    at.run()
    assert not at.exception and not at.error
    assert at.get("progress")[0].proto.value == 100
    rows = at.dataframe[0].value
    assert rows["status"].tolist() == ["done"]
    labels = [b.label for b in at.download_button]
    assert "Summary (CSV)" in labels and any(label.startswith("Articles (1") for label in labels)
    summary = next(data for data, mime, _ in downloads if mime.startswith("text/csv"))
    assert [row["row_key"] for row in csv.DictReader(io.StringIO(summary.decode()))] == ["head"]
    archive = next(data for data, mime, _ in downloads if mime == "application/zip")
    (name,) = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert name.endswith(".md")


# -- Library ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_library_filters_opens_exports_and_deletes_drafts(
    corpus_home: Path, written: int, downloads: list
) -> None:
    with Workbench.open(home=corpus_home) as wb:
        wb.rewrite(channel="email", draft_id=written)
        article = wb.version(written)
    at = page("6_Library.py").run()
    assert len(at.dataframe[0].value) == 2
    selectbox(at, "Kind").set_value("article").run()
    assert at.dataframe[0].value["id"].tolist() == [written]
    text_input(at, "Title contains").set_value("no such title").run()
    assert "No draft matches the filter." in messages(at, "info")
    text_input(at, "Title contains").set_value("READABLE").run()
    assert at.dataframe[0].value["id"].tolist() == [written]

    assert selectbox(at, "Open").value == written
    shown = shown_text(at)
    assert article.content.split("\n", 1)[0] in shown

    for fmt in ("html", "docx"):
        selectbox(at, "Export as").set_value(fmt).run()
    exported = {mime.split(";")[0]: data for data, mime, _ in downloads}
    assert exported["text/markdown"].decode() == article.content
    assert b"<h1>" in exported["text/html"]
    document = Document(io.BytesIO(exported[DOCX]))
    assert any(p.style.name.startswith("Heading") for p in document.paragraphs)
    title = article.content.split("\n", 1)[0].lstrip("# ").strip()
    assert title in "\n".join(p.text for p in document.paragraphs)

    assert button(at, "Delete draft").disabled
    at.checkbox[0].check().run()
    button(at, "Delete draft").click().run()
    assert not at.exception
    with Workbench.open(home=corpus_home) as wb:
        assert [d.kind for d in wb.drafts()] == ["rewrite:email"]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_library_builds_only_the_export_picked(stored: int, downloads: list) -> None:
    at = page("6_Library.py").run()
    assert not at.exception and not at.error
    assert [mime.split(";")[0] for _, mime, _ in downloads] == ["text/markdown"]
    assert [b.label for b in at.download_button] == ["Export Markdown"]

    downloads.clear()
    selectbox(at, "Export as").set_value("docx").run()
    assert not at.exception
    assert [mime for _, mime, _ in downloads] == [DOCX]
    assert [b.label for b in at.download_button] == ["Export Word (DOCX)"]


# -- Settings -----------------------------------------------------------------------------------


def test_settings_switches_the_session_provider_and_back(home: Path) -> None:
    at = page("Home.py").run()
    at.switch_page("pages/7_Settings.py").run()
    assert "provider **offline**" in shown_text(at)
    selectbox(at, "Provider").set_value("openai")
    text_input(at, "Base URL (openai only)").set_value("not a url")
    button(at, "Use these settings").click().run()
    assert any("http://" in e for e in messages(at, "error"))
    assert "provider **offline**" in shown_text(at)

    text_input(at, "Base URL (openai only)").set_value("http://127.0.0.1:9/v1")
    text_input(at, "Model").set_value("gpt-test")
    button(at, "Use these settings").click().run()
    assert not at.exception and not at.error
    assert "provider **openai**, model `gpt-test`" in shown_text(at)

    button(at, "Back to the home's settings").click().run()
    assert "provider **offline**" in shown_text(at)
