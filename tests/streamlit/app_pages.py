"""Running the app's pages in tests and reading what they show."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from aiwriter_kernel.workbench import Workbench

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "apps" / "streamlit"
RUN_S = 180  # generous: the first run of a page may load the embedding model


def page(name: str) -> AppTest:
    """One page of the app, run alone (``Home.py`` or ``pages/<name>``)."""
    path = APP / name if name == "Home.py" else APP / "pages" / name
    return AppTest.from_file(str(path), default_timeout=RUN_S)


def shown_text(at: AppTest) -> str:
    """Every piece of text the page shows (Markdown, text, captions, alerts, code, headings)."""
    parts: list[str] = []
    for kind in (
        "title",
        "subheader",
        "markdown",
        "caption",
        "text",
        "code",
        "success",
        "info",
        "warning",
        "error",
    ):
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)


def messages(at: AppTest, kind: str) -> list[str]:
    """The texts of the page's alerts of one kind ("error", "success", "warning", "info")."""
    return [str(element.value) for element in getattr(at, kind)]


def button(at, label: str):
    """The button (or form submit button) labelled ``label``."""
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return found[0]


def text_input(at, label: str):
    found = [t for t in at.text_input if t.label == label]
    assert found, f"no text input {label!r}; inputs: {[t.label for t in at.text_input]}"
    return found[0]


def selectbox(at, label: str):
    found = [s for s in at.selectbox if s.label == label]
    assert found, f"no selectbox {label!r}; boxes: {[s.label for s in at.selectbox]}"
    return found[0]


def store_draft(home: Path, title: str, contents: list[str]) -> int:
    """A draft with one version per text (an outline, then drafts), stored straight in
    ``home``: fast, with no writing. Returns its id."""
    with Workbench.open(home=home) as wb:
        first, *later = contents
        draft, _ = wb.db.drafts.create_draft(
            wb.workspace().id,
            kind="article",
            title=title,
            topic=title,
            content=first,
            stage="outline",
        )
        for content in later:
            wb.db.drafts.add_version(draft.id, content=content, stage="draft")
        return draft.id
