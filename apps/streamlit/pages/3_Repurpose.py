"""Repurpose: a draft (or pasted text) rewritten for one channel, with its parts and each of
the channel's hard limits measured."""

from __future__ import annotations

import streamlit as st
from aiwriter_apps.streamlit.safe_markdown import escape_html
from aiwriter_apps.streamlit.session import page_header

from aiwriter_kernel.channels import names as channel_names
from aiwriter_kernel.errors import AIWriterError, one_line
from aiwriter_kernel.pipelines.rewrite import RewriteResult

FROM_DRAFT, FROM_TEXT = "A saved draft", "Pasted text"
NO_PERSONA = "(none)"
RESULT = "repurpose_result"


def main() -> None:
    """The page, as Streamlit runs it."""
    wb = page_header(
        "Repurpose", "Rewrite a draft for a channel; every limit of the channel is checked."
    )

    drafts = wb.drafts()
    by_id = {d.id: d for d in drafts}
    source = st.radio("Rewrite", [FROM_DRAFT, FROM_TEXT], horizontal=True)
    draft_id = text = None
    if source == FROM_DRAFT:
        if not drafts:
            st.info("No drafts yet: write one on the Write page, or paste a text.")
        draft_id = st.selectbox(
            "Draft", list(by_id), format_func=lambda i: f"{i}: {by_id[i].title} ({by_id[i].kind})"
        )
    else:
        text = st.text_area("Text to rewrite", height=200)
    left, middle, right = st.columns(3)
    channel = left.selectbox("Channel", list(channel_names()))
    keyword = middle.text_input("Keyword (optional)")
    personas = [NO_PERSONA, *(p.name for p in wb.personas())]
    persona = right.selectbox("Persona", personas)

    if st.button("Rewrite", type="primary"):
        fields = {
            "channel": channel,
            "keyword": keyword.strip() or None,
            "persona": None if persona == NO_PERSONA else persona,
        }
        if source == FROM_DRAFT and draft_id is None:
            st.error("Choose a draft to rewrite (write one first), or paste a text.")
        elif source == FROM_TEXT and not (text or "").strip():
            st.error("The text is empty: paste the text to rewrite.")
        else:
            what = {"draft_id": draft_id} if source == FROM_DRAFT else {"text": text}
            try:
                with st.spinner(f"Rewriting for {channel}…"):
                    st.session_state[RESULT] = wb.rewrite(**fields, **what)
            except AIWriterError as error:
                st.error(escape_html(one_line(error)))

    result: RewriteResult | None = st.session_state.get(RESULT)
    if result is not None:
        verdict = "within every limit" if result.passed else "over a limit"
        st.subheader(escape_html(f"{result.channel}: {result.title}"))
        st.caption(f"Saved as draft {result.draft_id} v{result.version}; {verdict}.")
        with st.container(border=True, key="aiw-rewrite"):
            st.text(result.text)  # a post is plain text: shown exactly as it would be pasted
        st.markdown("**Limits**")
        st.dataframe(
            [
                {
                    "limit": c.name,
                    "maximum": c.limit,
                    "actual": c.actual,
                    "result": "pass" if c.passed else "FAIL",
                }
                for c in result.checks
            ],
            hide_index=True,
        )
        with st.expander("Parts"):
            st.json(result.parts.model_dump(mode="json"))
        for warning in result.warnings:
            st.warning(escape_html(warning))
        if result.sources:
            st.markdown("**Sources**")
            for ref in result.sources:
                st.text(f"{ref.title} — {ref.origin}")


# Streamlit runs a page as __main__; a worker process that Python spawns (batch rows,
# jobs) imports the running page as __mp_main__, and must not draw it again.
if __name__ == "__main__":
    main()
