"""Research: upload sources into the knowledge base, manage them, search with citations."""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.passages import PATH_SEPARATOR, plain_passage
from aiwriter_apps.streamlit.safe_markdown import escape_html
from aiwriter_apps.streamlit.session import page_header
from aiwriter_apps.streamlit.tables import sized_columns

from aiwriter_kernel.errors import AIWriterError, one_line
from aiwriter_kernel.research.models import SearchHit

UPLOAD_TYPES = ["md", "markdown", "txt", "rst", "pdf", "docx", "html", "htm", "ipynb"]
SNIPPET_CHARS = 400
# Short columns first and the long origin last, each with a width, so "added" is never cut off.
SOURCE_COLUMN_CONFIG = sized_columns(
    {
        "id": "small",
        "title": "medium",
        "added": "medium",
        "type": "small",
        "bytes": "small",
        "tags": "small",
        "origin": "large",
    }
)
SOURCE_COLUMNS = tuple(SOURCE_COLUMN_CONFIG)


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header(
        "Research", "Add your own documents, then search them; every hit has its citation."
    )

    # -- upload -----------------------------------------------------------------------------------

    st.subheader("Add sources")
    with st.form("research_upload", clear_on_submit=True):
        files = st.file_uploader("Documents", type=UPLOAD_TYPES, accept_multiple_files=True)
        tags = st.text_input("Tags (comma-separated, optional)")
        add = st.form_submit_button("Add to the knowledge base")
    if add:
        if not files:
            st.error("Choose one or more files to add first.")
        else:
            labels = tuple(t.strip() for t in tags.split(",") if t.strip())
            with st.spinner(f"Adding {len(files)} files…"):
                items = []
                for upload in files:
                    try:
                        report = wb.ingest_bytes(
                            upload.getvalue(), upload.name, content_type=upload.type, tags=labels
                        )
                        items.extend(report.items)
                    except AIWriterError as error:
                        st.error(escape_html(f"{upload.name}: {one_line(error)}"))
            for item in items:
                if item.status == "failed":
                    st.error(escape_html(f"{item.origin}: {item.error}"))
            added = [i for i in items if i.status != "failed"]
            if added:
                summary = "; ".join(
                    f"{i.title or i.origin}: {i.status} ({i.chunks} passages)" for i in added
                )
                st.success(escape_html(summary))

    # -- the sources ------------------------------------------------------------------------------

    st.subheader("Sources")
    sources = wb.sources()
    if not sources:
        st.info("No sources yet: upload documents above.")
    else:
        st.dataframe(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "origin": s.origin,
                    "type": s.mime_type,
                    "bytes": s.size_bytes,
                    "tags": ", ".join(s.tags),
                    "added": s.added_at.strftime("%Y-%m-%d %H:%M"),
                }
                for s in sources
            ],
            hide_index=True,
            column_order=SOURCE_COLUMNS,
            column_config=SOURCE_COLUMN_CONFIG,
        )
        with st.expander("Delete a source"):
            by_id = {s.id: s for s in sources}
            chosen = st.selectbox(
                "Source", list(by_id), format_func=lambda i: f"{i}: {by_id[i].title}", key="rs_del"
            )
            sure = st.checkbox("Yes, delete it with its passages", key="research_delete_sure")
            if st.button("Delete source", disabled=not sure):
                try:
                    wb.delete_source(chosen)
                except AIWriterError as error:
                    st.error(one_line(error))
                else:
                    st.session_state.pop("research_delete_sure", None)
                    st.success(f"Deleted source {chosen}.")
                    st.rerun()

    # -- search -----------------------------------------------------------------------------------

    st.subheader("Search")
    with st.form("research_search"):
        query = st.text_input("Query", placeholder="what are you looking for?")
        k = st.number_input("Hits", min_value=1, max_value=50, value=5)
        mode = st.radio("Mode", ["hybrid", "dense", "lexical"], horizontal=True)
        search = st.form_submit_button("Search")
    if search:
        if not query.strip():
            st.error("Type something to search for.")
        else:
            try:
                hits = wb.search(query, k=int(k), mode=mode)
            except AIWriterError as error:
                st.error(one_line(error))
            else:
                if not hits:
                    st.info("No passage matches: add sources or rephrase.")
                for number, hit in enumerate(hits, 1):
                    show_hit(number, hit)


def show_hit(number: int, hit: SearchHit) -> None:
    """One hit: its source and heading path as a label, the passage as plain text (no raw
    ``#`` marks), and the citation."""
    passage = plain_passage(hit.text)
    label = f"[{number}] {hit.source_title}"
    if path := passage.label(hit.source_title):
        label += PATH_SEPARATOR + path
    with st.container(border=True, key=f"research_hit_{number}"):
        st.markdown(f"**{escape_html(label)}**")
        st.caption(escape_html(hit.citation))
        cut = len(passage.text) > SNIPPET_CHARS
        st.text(passage.text[:SNIPPET_CHARS] + ("…" if cut else ""))


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
