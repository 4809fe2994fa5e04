"""Library: the drafts of the home's default workspace (where the app, notebooks and CLI save
unless told otherwise), filtered by kind and title; open one, browse its versions, export it
in the format picked (only that file is built), or delete it."""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.safe_markdown import escape_html, show_markdown
from aiwriter_apps.streamlit.session import page_header

from aiwriter_kernel.errors import AIWriterError, one_line

ALL_KINDS = "(all)"
EXPORTS = {"md": "Markdown", "html": "HTML", "docx": "Word (DOCX)"}


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header(
        "Library", "The drafts of this home's default workspace; open, export or delete one."
    )

    drafts = wb.drafts()
    kinds = sorted({d.kind for d in drafts})
    left, right = st.columns(2)
    kind = left.selectbox("Kind", [ALL_KINDS, *kinds])
    words = right.text_input("Title contains")
    shown = [
        d
        for d in drafts
        if (kind == ALL_KINDS or d.kind == kind) and words.strip().lower() in d.title.lower()
    ]
    if not drafts:
        st.info("No drafts yet: write one on the Write page.")
        st.stop()
    if not shown:
        st.info("No draft matches the filter.")
        st.stop()
    st.dataframe(
        [
            {
                "id": d.id,
                "title": d.title,
                "kind": d.kind,
                "topic": d.topic,
                "changed": d.updated_at.strftime("%Y-%m-%d %H:%M"),
            }
            for d in shown
        ],
        hide_index=True,
    )

    by_id = {d.id: d for d in shown}
    draft_id = st.selectbox(
        "Open", list(by_id), format_func=lambda i: f"{i}: {by_id[i].title} ({by_id[i].kind})"
    )
    try:
        versions = wb.versions(draft_id)
    except AIWriterError as error:
        st.error(escape_html(one_line(error)))
        st.stop()
    if not versions:
        st.info("This draft has no saved version yet.")
        st.stop()
    numbers = [v.version for v in versions]
    number = st.selectbox(
        "Version",
        numbers,
        index=len(numbers) - 1,
        format_func=lambda n: f"v{n} · {versions[numbers.index(n)].stage}",
    )
    content = versions[numbers.index(number)].content

    left, right = st.columns([1, 2], vertical_alignment="bottom")
    fmt = left.selectbox("Export as", list(EXPORTS), format_func=EXPORTS.__getitem__)
    try:
        exported = wb.export(draft_id, fmt, version=number)
    except AIWriterError as error:
        st.error(escape_html(one_line(error)))
    else:
        right.download_button(
            f"Export {EXPORTS[fmt]}",
            exported.content,
            file_name=exported.filename,
            mime=exported.media_type,
            key="library_export",
            on_click="ignore",
        )

    with st.container(border=True, key="aiw-library-draft"):
        show_markdown(content)

    with st.expander("Delete this draft"):
        st.warning("This deletes the draft with all its versions; it cannot be undone.")
        sure = st.checkbox(f"Yes, delete draft {draft_id} and its {len(versions)} versions")
        if st.button("Delete draft", disabled=not sure):
            try:
                wb.delete_draft(draft_id)
            except AIWriterError as error:
                st.error(escape_html(one_line(error)))
            else:
                st.toast(f"Deleted draft {draft_id}.")
                st.rerun()


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
