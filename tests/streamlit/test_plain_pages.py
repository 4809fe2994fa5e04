"""What a reader sees on the Research, Write and SEO pages: search hits as plain text under
their heading path (never raw ``#`` marks), a Sources table whose short columns come first,
a diff offered only once a draft has two versions to compare, and the SEO fixes in full."""

from __future__ import annotations

import json
from pathlib import Path

from aiwriter_apps.streamlit.passages import plain_passage
from app_pages import button, page, shown_text, store_draft, text_input

GUIDE = (
    b"# Writing guide\n\n"
    b"## Headlines\n\n"
    b"### Short headlines\n\n"
    b"Short headlines of about eight words are read in full on small screens.\n\n"
    b"## Planning\n\n"
    b"Good pages are planned before they are written.\n"
)


def test_a_passage_is_split_into_its_heading_path_and_plain_text() -> None:
    passage = plain_passage("# Guide\n## A\n\n### A1\n## B ##\n\nIntro.\n\n## C\nMore.")
    assert passage.headings == ("Guide", "B")  # B replaced A and its A1
    assert passage.label("guide") == "B"  # the source title is not repeated
    assert passage.text == "Intro.\n\nC\nMore."  # a later heading stays, without its marks
    assert plain_passage("No heading here.").label("Title") == ""
    assert plain_passage("#hashtag is no heading").text == "#hashtag is no heading"


def test_search_hits_show_their_heading_path_and_no_markdown_marks(home: Path) -> None:
    at = page("1_Research.py").run()
    at.file_uploader[0].set_value([("guide.md", GUIDE, "text/markdown")])
    button(at, "Add to the knowledge base").click().run()
    assert not at.exception and not at.error

    text_input(at, "Query").set_value("short headlines on small screens")
    button(at, "Search").click().run()
    assert not at.exception and not at.error
    labels = [m.value for m in at.markdown if m.value.startswith("**[")]
    assert labels[0] == "**[1] Writing guide > Headlines > Short headlines**"
    passages = [t.value for t in at.text]
    assert any("eight words" in p and "\nPlanning\n" in p for p in passages)
    for shown in passages:
        assert not any(line.lstrip().startswith("#") for line in shown.splitlines()), shown


def test_the_sources_table_puts_the_long_origin_last(home: Path) -> None:
    at = page("1_Research.py").run()
    at.file_uploader[0].set_value([("guide.md", GUIDE, "text/markdown")])
    button(at, "Add to the knowledge base").click().run()
    table = at.dataframe[0].proto
    assert list(table.column_order) == ["id", "title", "added", "type", "bytes", "tags", "origin"]
    widths = {name: column.get("width") for name, column in json.loads(table.columns).items()}
    assert widths["added"] == "medium" and widths["origin"] == "large"


def test_a_draft_with_one_version_offers_no_diff(home: Path) -> None:
    draft_id = store_draft(home, "Writing guide", [GUIDE.decode()])
    at = page("2_Write.py")
    at.session_state["write_draft_id"] = draft_id
    at.run()
    assert not at.exception and len(at.dataframe[-1].value) == 1
    assert [b.label for b in at.button if b.label == "Show the diff"] == []
    assert not [s for s in at.selectbox if s.label in ("From version", "To version")]
    assert any("second version" in c.value for c in at.caption)


def test_the_seo_fixes_are_listed_in_full_under_the_checks(home: Path) -> None:
    at = page("4_SEO_and_readability.py").run()
    at.text_area[0].set_value(GUIDE.decode())
    text_input(at, "Focus keyword (for the SEO audit)").set_value("short headlines")
    button(at, "Analyze").click().run()
    assert not at.exception and not at.error
    checks = at.dataframe[0].value
    failed = checks[(checks["result"] == "fail") & (checks["how to fix"].fillna("") != "")]
    assert len(failed) > 0  # a short guide fails some checks (length, meta description)
    shown = shown_text(at)
    assert "To improve the score" in shown
    for fix in failed["how to fix"]:
        assert f"- {fix}" in shown
