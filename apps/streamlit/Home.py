"""AI Writer, the Streamlit app: the workbench's pipelines for people who never open a notebook.

Run with ``streamlit run apps/streamlit/Home.py`` (or ``aiwriter serve app``). Every page is a
few lines around one ``Workbench`` method; the pages are in ``pages/``.
"""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.session import page_header
from streamlit.errors import StreamlitAPIException

PAGES = (
    ("pages/1_Research.py", "Research", "upload sources, search them with citations"),
    ("pages/2_Write.py", "Write", "plan an outline, edit it, watch the draft being written"),
    ("pages/3_Repurpose.py", "Repurpose", "rewrite a draft for LinkedIn, X, email and more"),
    ("pages/4_SEO_and_readability.py", "SEO & readability", "scores, checks and charts"),
    ("pages/5_Batch.py", "Batch", "an article per row of a topics CSV"),
    ("pages/6_Library.py", "Library", "every draft, its versions, exports"),
    ("pages/7_Settings.py", "Settings", "provider, model and API key for this session"),
)


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header(
        "AI Writer",
        "Research, write, repurpose and check articles. Works offline with no API key; "
        "choose a model provider in Settings.",
    )

    drafts, sources = wb.drafts(), wb.sources()
    left, right = st.columns(2)
    left.metric("Drafts", len(drafts))
    right.metric("Sources", len(sources))

    for path, label, what in PAGES:
        try:
            st.page_link(path, label=f"{label}: {what}")
        except (
            StreamlitAPIException
        ):  # a page link needs the multipage runtime; tests run pages alone
            st.markdown(f"**{label}**: {what}")


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
